package io.quiver.bench.ann;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The recall/throughput picture of an ANN run: recall@10 on the x axis (linear), queries per second on the y axis
 * (log scale), one polyline with markers per system through its ef values (each marker labelled with its ef), a
 * legend, axis labels and a title. Written as SVG (by hand, no plotting library) or, for a {@code .png} file name, as
 * PNG through Java2D (headless). Stateless; any thread.
 */
final class AnnChart {

    /** One measured (system, ef) point. */
    record Point(int ef, double recall10, double qps) {
    }

    /** The points of one system, in the order of its ef values. */
    record Series(String system, List<Point> points) {
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 600;
    private static final int LEFT = 90;
    private static final int RIGHT = 200;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#17becf"};

    private AnnChart() {
    }

    /** Writes the chart to {@code file}: PNG when its name ends with {@code .png}, SVG otherwise. */
    static void write(Path file, String title, String subtitle, List<Series> series) throws IOException {
        Path absolute = file.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            try {
                draw(new Java2dCanvas(g), title, subtitle, series);
            } finally {
                g.dispose();
            }
            if (!ImageIO.write(image, "png", absolute.toFile())) {
                throw new IOException("no PNG writer in this JVM");
            }
        } else {
            SvgCanvas svg = new SvgCanvas();
            draw(svg, title, subtitle, series);
            Files.writeString(absolute, svg.finish(), StandardCharsets.UTF_8);
        }
    }

    /** Drawing primitives shared by the SVG and PNG outputs (pixel coordinates, y down). */
    private interface Canvas {
        void rect(double x, double y, double w, double h, String fill, String stroke);

        void line(double x1, double y1, double x2, double y2, String color, double width, boolean dashed);

        void polyline(double[] xs, double[] ys, String color, double width);

        void circle(double x, double y, double r, String fill);

        /** anchor: "start", "middle" or "end"; rotate: degrees (only -90 or 0 are used). */
        void text(double x, double y, String s, double size, String color, String anchor, int rotate, boolean bold);
    }

    private static void draw(Canvas c, String title, String subtitle, List<Series> series) {
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double minRecall = 1.0;
        double minQps = Double.MAX_VALUE;
        double maxQps = 0;
        for (Series s : series) {
            for (Point p : s.points()) {
                minRecall = Math.min(minRecall, p.recall10());
                if (p.qps() > 0) {
                    minQps = Math.min(minQps, p.qps());
                    maxQps = Math.max(maxQps, p.qps());
                }
            }
        }
        if (maxQps == 0) {
            minQps = 1;
            maxQps = 10;
        }
        // x: recall from a round value below the worst point to 1.0; y: whole decades around the points.
        double x0 = Math.max(0, Math.floor((minRecall - 0.005) * 20) / 20);
        double x1 = 1.0;
        double y0 = Math.floor(Math.log10(minQps));
        double y1 = Math.ceil(Math.log10(maxQps));
        if (y1 - y0 < 1) {
            y1 = y0 + 1;
        }
        final double fx0 = x0;
        final double fy0 = y0;
        final double fy1 = y1;
        java.util.function.DoubleUnaryOperator px = r -> LEFT + (r - fx0) / (x1 - fx0) * plotW;
        java.util.function.DoubleUnaryOperator py = q -> TOP + plotH - (Math.log10(q) - fy0) / (fy1 - fy0) * plotH;

        c.rect(0, 0, WIDTH, HEIGHT, "#ffffff", null);
        c.text(LEFT, 28, title, 17, "#000000", "start", 0, true);
        c.text(LEFT, 48, subtitle, 12, "#444444", "start", 0, false);
        // grid and ticks
        double step = (x1 - x0) > 0.3 ? 0.1 : (x1 - x0) > 0.12 ? 0.05 : 0.01;
        for (double r = x0; r <= x1 + 1e-9; r += step) {
            double x = px.applyAsDouble(r);
            c.line(x, TOP, x, TOP + plotH, "#e0e0e0", 1, false);
            c.text(x, TOP + plotH + 18, String.format(Locale.ROOT, step < 0.05 ? "%.2f" : "%.2f", r), 12, "#000000",
                    "middle", 0, false);
        }
        for (double d = y0; d <= y1 + 1e-9; d++) {
            double decade = Math.pow(10, d);
            double y = py.applyAsDouble(decade);
            c.line(LEFT, y, LEFT + plotW, y, "#c8c8c8", 1, false);
            c.text(LEFT - 8, y + 4, formatQps(decade), 12, "#000000", "end", 0, false);
            if (d < y1) {
                for (int mult : new int[] {2, 5}) {
                    double ym = py.applyAsDouble(decade * mult);
                    c.line(LEFT, ym, LEFT + plotW, ym, "#eeeeee", 1, true);
                    c.text(LEFT - 8, ym + 4, formatQps(decade * mult), 10, "#777777", "end", 0, false);
                }
            }
        }
        c.rect(LEFT, TOP, plotW, plotH, null, "#000000");
        c.text(LEFT + plotW / 2, HEIGHT - 25, "recall@10", 14, "#000000", "middle", 0, false);
        c.text(24, TOP + plotH / 2, "queries per second (log scale)", 14, "#000000", "middle", -90, false);
        // series
        for (int s = 0; s < series.size(); s++) {
            String color = COLORS[s % COLORS.length];
            List<Point> pts = series.get(s).points().stream().filter(p -> p.qps() > 0).toList();
            double[] xs = new double[pts.size()];
            double[] ys = new double[pts.size()];
            for (int i = 0; i < pts.size(); i++) {
                xs[i] = px.applyAsDouble(pts.get(i).recall10());
                ys[i] = py.applyAsDouble(pts.get(i).qps());
            }
            c.polyline(xs, ys, color, 2);
            for (int i = 0; i < pts.size(); i++) {
                c.circle(xs[i], ys[i], 4, color);
                c.text(xs[i] + 5, ys[i] - 6, "ef " + pts.get(i).ef(), 9, color, "start", 0, false);
            }
            double ly = TOP + 20 + s * 24;
            double lx = LEFT + plotW + 20;
            c.line(lx, ly, lx + 30, ly, color, 2, false);
            c.circle(lx + 15, ly, 4, color);
            c.text(lx + 38, ly + 4, series.get(s).system(), 13, "#000000", "start", 0, false);
        }
    }

    private static String formatQps(double q) {
        if (q >= 1_000_000) {
            return String.format(Locale.ROOT, "%.0fM", q / 1_000_000);
        }
        if (q >= 1000) {
            return String.format(Locale.ROOT, "%.0fk", q / 1000);
        }
        return String.format(Locale.ROOT, "%.0f", q);
    }

    /** SVG 1.1 text. */
    private static final class SvgCanvas implements Canvas {
        private final StringBuilder sb = new StringBuilder();

        SvgCanvas() {
            sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                    .append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                            + "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">\n",
                            WIDTH, HEIGHT, WIDTH, HEIGHT));
        }

        String finish() {
            return sb.append("</svg>\n").toString();
        }

        @Override
        public void rect(double x, double y, double w, double h, String fill, String stroke) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    + "fill=\"%s\" stroke=\"%s\"/>\n", x, y, w, h, fill == null ? "none" : fill,
                    stroke == null ? "none" : stroke));
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, String color, double width, boolean dashed) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                    + "stroke=\"%s\" stroke-width=\"%.1f\"%s/>\n", x1, y1, x2, y2, color, width,
                    dashed ? " stroke-dasharray=\"4,3\"" : ""));
        }

        @Override
        public void polyline(double[] xs, double[] ys, String color, double width) {
            sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"")
                    .append(width).append("\" points=\"");
            for (int i = 0; i < xs.length; i++) {
                sb.append(String.format(Locale.ROOT, "%s%.1f,%.1f", i == 0 ? "" : " ", xs[i], ys[i]));
            }
            sb.append("\"/>\n");
        }

        @Override
        public void circle(double x, double y, double r, String fill) {
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>\n", x, y,
                    r, fill));
        }

        @Override
        public void text(double x, double y, String s, double size, String color, String anchor, int rotate,
                         boolean bold) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" fill=\"%s\" "
                    + "text-anchor=\"%s\"%s%s>%s</text>\n", x, y, size, color, anchor,
                    rotate != 0 ? String.format(Locale.ROOT, " transform=\"rotate(%d %.1f %.1f)\"", rotate, x, y) : "",
                    bold ? " font-weight=\"bold\"" : "", escape(s)));
        }

        private static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }

    /** Java2D, for PNG. */
    private static final class Java2dCanvas implements Canvas {
        private final Graphics2D g;

        Java2dCanvas(Graphics2D g) {
            this.g = g;
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        }

        private static Color color(String hex) {
            return Color.decode(hex);
        }

        @Override
        public void rect(double x, double y, double w, double h, String fill, String stroke) {
            if (fill != null) {
                g.setColor(color(fill));
                g.fill(new java.awt.geom.Rectangle2D.Double(x, y, w, h));
            }
            if (stroke != null) {
                g.setColor(color(stroke));
                g.setStroke(new BasicStroke(1f));
                g.draw(new java.awt.geom.Rectangle2D.Double(x, y, w, h));
            }
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, String c, double width, boolean dashed) {
            g.setColor(color(c));
            g.setStroke(dashed ? new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {4f, 3f}, 0f) : new BasicStroke((float) width));
            g.draw(new Line2D.Double(x1, y1, x2, y2));
        }

        @Override
        public void polyline(double[] xs, double[] ys, String c, double width) {
            if (xs.length == 0) {
                return;
            }
            Path2D.Double path = new Path2D.Double();
            path.moveTo(xs[0], ys[0]);
            for (int i = 1; i < xs.length; i++) {
                path.lineTo(xs[i], ys[i]);
            }
            g.setColor(color(c));
            g.setStroke(new BasicStroke((float) width));
            g.draw(path);
        }

        @Override
        public void circle(double x, double y, double r, String fill) {
            g.setColor(color(fill));
            g.fill(new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
        }

        @Override
        public void text(double x, double y, String s, double size, String c, String anchor, int rotate,
                         boolean bold) {
            g.setColor(color(c));
            g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, (int) Math.round(size)));
            double w = g.getFontMetrics().stringWidth(s);
            double shift = anchor.equals("middle") ? w / 2 : anchor.equals("end") ? w : 0;
            var saved = g.getTransform();
            g.translate(x, y);
            if (rotate != 0) {
                g.rotate(Math.toRadians(rotate));
            }
            g.drawString(s, (float) -shift, 0f);
            g.setTransform(saved);
        }
    }
}
