package io.quiver.bench.ann;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the ANN harness from rotting: generates a tiny clustered data set (2 000 × 16, 200 queries, exact ground
 * truth) in the data README's file formats, runs {@code ann} with every system, {@code --chart} and {@code --profile},
 * and checks one well-formed JSON line per (system, ef) with sane recalls, an SVG chart with one line per system, and
 * an async-profiler flame graph that holds the systems' search frames. If async-profiler cannot load or start on the
 * machine, the test fails and says why (the harness falls back from perf events to itimer by itself).
 */
class AnnBenchSmokeTest {

    private static final List<String> SYSTEMS = List.of("quiver", "quiver-int8", "lucene", "jvector");

    @Test
    void harnessPrintsOneJsonLinePerSystemAndEf(@TempDir Path dir) throws Exception {
        String seedProp = System.getProperty("quiver.seed");
        long seed = seedProp != null ? Long.parseLong(seedProp) : System.nanoTime();
        System.out.println("random seed: -Dquiver.seed=" + seed);
        Random random = new Random(seed);
        int dim = 16;
        float[][] base = new float[2000][dim];
        float[][] queries = new float[200][dim];
        float[][] centers = new float[20][dim];
        for (float[] c : centers) {
            for (int d = 0; d < dim; d++) {
                c[d] = random.nextFloat() * 10;
            }
        }
        for (float[][] set : new float[][][] {base, queries}) {
            for (float[] v : set) {
                float[] c = centers[random.nextInt(centers.length)];
                for (int d = 0; d < dim; d++) {
                    v[d] = c[d] + (float) random.nextGaussian();
                }
            }
        }
        writeFvecs(dir.resolve("base.fvecs"), base);
        writeFvecs(dir.resolve("query.fvecs"), queries);
        writeIvecs(dir.resolve("gt-euclid.ivecs"), groundTruth(base, queries, 100));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path chart = dir.resolve("out/ann.svg");
        Path profile = dir.resolve("out/ann-cpu.html");
        try {
            AnnBench.run(new String[] {"--data", dir.toString(), "--metric", "euclid", "--queries", "200",
                    "--ef", "16,64", "--m", "8", "--ef-construct", "50", "--threads", "2", "--warmup", "20",
                    "--repeats", "2", "--systems", String.join(",", SYSTEMS), "--chart", chart.toString(),
                    "--profile", profile.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(log, true, StandardCharsets.UTF_8));
        } catch (Exception | Error e) {
            throw new AssertionError("ann harness failed (if async-profiler could not load or start on this machine,"
                    + " the cause says so): " + e + "\nlog:\n" + log, e);
        }
        System.out.println(log.toString(StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        System.out.println(String.join("\n", lines));
        assertEquals(2 * SYSTEMS.size(), lines.size(), "one line per (system, ef):\n" + lines + "\nlog:\n" + log);
        for (String system : SYSTEMS) {
            for (int ef : new int[] {16, 64}) {
                String prefix = "{\"system\":\"" + system + "\",\"metric\":\"euclid\",\"ef\":" + ef + ",";
                String line = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(
                        () -> new AssertionError("no line for " + system + " ef " + ef + " in " + lines));
                for (String field : List.of("qps", "p50_us", "p99_us", "cpu_us", "build_s", "build_threads",
                        "index_bytes", "rss_delta_bytes")) {
                    assertTrue(line.contains("\"" + field + "\":"), field + " missing in " + line);
                }
                assertTrue(line.endsWith("}"));
                assertEquals(1, number(line, "threads"), "searches run single-threaded by default: " + line);
                assertEquals(2, number(line, "build_threads"), "--threads is the build's: " + line);
                assertTrue(number(line, "rss_bytes") > 0, "resident set read from /proc/self/status: " + line);
                double recall10 = number(line, "recall10");
                assertTrue(recall10 >= (ef == 64 ? 0.9 : 0.5) && recall10 <= 1.0, line);
                double recall1 = number(line, "recall1");
                assertTrue(recall1 >= (ef == 64 ? 0.9 : 0.5) && recall1 <= 1.0, line);
                double recall100 = number(line, "recall100"); // searched with a candidate list of 100 at any ef
                assertTrue(recall100 >= 0.8 && recall100 <= 1.0, line);
            }
        }

        String svg = Files.readString(chart);
        assertTrue(svg.startsWith("<?xml") && svg.contains("<svg") && svg.trim().endsWith("</svg>"), svg);
        assertEquals(SYSTEMS.size(), svg.split("<polyline", -1).length - 1, "one polyline per system:\n" + svg);
        for (String system : SYSTEMS) {
            assertTrue(svg.contains(">" + system + "</text>"), "legend entry for " + system + ":\n" + svg);
        }
        assertTrue(svg.contains("recall@10") && svg.contains("queries per second (log scale)"), svg);

        assertTrue(Files.exists(profile), "no flame graph written; log:\n" + log);
        String html = Files.readString(profile);
        assertTrue(html.startsWith("<!DOCTYPE html>"), "not an async-profiler HTML flame graph: "
                + html.substring(0, Math.min(200, html.length())));
        assertTrue(Files.size(profile) > 10_000, "flame graph is only " + Files.size(profile) + " bytes");
        assertTrue(html.contains("AnnSystem.search"), "flame graph holds no AnnSystem.search frame (no samples of "
                + "the search passes?); log:\n" + log);
    }

    @Test
    void chartIsAlsoWrittenAsPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("chart.png");
        AnnChart.write(png, "title", "subtitle", List.of(
                new AnnChart.Series("a", List.of(new AnnChart.Point(16, 0.90, 12_000), new AnnChart.Point(64, 0.99,
                        4_000))),
                new AnnChart.Series("b", List.of(new AnnChart.Point(16, 0.92, 9_000), new AnnChart.Point(64, 0.995,
                        3_500)))));
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G',
                "PNG of " + bytes.length + " bytes");
    }

    private static double number(String jsonLine, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?[0-9.]+)").matcher(jsonLine);
        assertTrue(m.find(), key + " missing or not a number in " + jsonLine);
        return Double.parseDouble(m.group(1));
    }

    private static int[][] groundTruth(float[][] base, float[][] queries, int k) {
        int[][] gt = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) {
            Integer[] ids = new Integer[base.length];
            double[] dist = new double[base.length];
            for (int i = 0; i < base.length; i++) {
                ids[i] = i;
                double s = 0;
                for (int d = 0; d < queries[q].length; d++) {
                    double x = (double) queries[q][d] - base[i][d];
                    s += x * x;
                }
                dist[i] = s;
            }
            Arrays.sort(ids, (a, b) -> Double.compare(dist[a], dist[b]));
            gt[q] = Arrays.stream(ids, 0, k).mapToInt(Integer::intValue).toArray();
        }
        return gt;
    }

    static void writeFvecs(Path file, float[][] vectors) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(vectors.length * (4 + 4 * vectors[0].length))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (float[] v : vectors) {
            buf.putInt(v.length);
            for (float x : v) {
                buf.putFloat(x);
            }
        }
        Files.write(file, buf.array());
    }

    static void writeIvecs(Path file, int[][] rows) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(rows.length * (4 + 4 * rows[0].length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] r : rows) {
            buf.putInt(r.length);
            for (int x : r) {
                buf.putInt(x);
            }
        }
        Files.write(file, buf.array());
    }
}
