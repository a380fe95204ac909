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
 * Keeps the ANN harness from rotting: generates a tiny clustered data set (2 000 × 16, 50 queries, exact ground
 * truth) in the data README's file formats, runs {@code ann} with every system and checks one well-formed JSON line
 * per (system, ef) with a sane recall.
 */
class AnnBenchSmokeTest {

    private static final Pattern RECALL = Pattern.compile("\"recall10\":([0-9.]+)");

    @Test
    void harnessPrintsOneJsonLinePerSystemAndEf(@TempDir Path dir) throws Exception {
        String seedProp = System.getProperty("quiver.seed");
        long seed = seedProp != null ? Long.parseLong(seedProp) : System.nanoTime();
        System.out.println("random seed: -Dquiver.seed=" + seed);
        Random random = new Random(seed);
        int dim = 16;
        float[][] base = new float[2000][dim];
        float[][] queries = new float[50][dim];
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
        AnnBench.run(new String[] {"--data", dir.toString(), "--metric", "euclid", "--queries", "50",
                "--ef", "16,64", "--m", "8", "--ef-construct", "50", "--threads", "2", "--warmup", "10",
                "--systems", "quiver,quiver-int8,lucene"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(log, true, StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        System.out.println(String.join("\n", lines));
        assertEquals(6, lines.size(), "one line per (system, ef):\n" + lines + "\nlog:\n" + log);
        for (String system : List.of("quiver", "quiver-int8", "lucene")) {
            for (int ef : new int[] {16, 64}) {
                String prefix = "{\"system\":\"" + system + "\",\"metric\":\"euclid\",\"ef\":" + ef + ",";
                String line = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(
                        () -> new AssertionError("no line for " + system + " ef " + ef + " in " + lines));
                for (String field : List.of("qps", "p50_us", "p99_us", "cpu_us", "build_s", "build_threads",
                        "index_bytes")) {
                    assertTrue(line.contains("\"" + field + "\":"), field + " missing in " + line);
                }
                assertTrue(line.endsWith("}"));
                Matcher mr = RECALL.matcher(line);
                assertTrue(mr.find());
                double recall = Double.parseDouble(mr.group(1));
                assertTrue(recall >= (ef == 64 ? 0.9 : 0.5) && recall <= 1.0, line);
            }
        }
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

    private static void writeFvecs(Path file, float[][] vectors) throws IOException {
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

    private static void writeIvecs(Path file, int[][] rows) throws IOException {
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
