// The ANN harness's measurement for hnswlib, the C++ reference implementation of HNSW: same data files, same
// parameters (m, ef_construct, the ef list), same recall semantics and the same JSON line per (system, ef) as
// `./quiver bench ann` (io.quiver.bench.ann.AnnBench). Benchmark only: built and run by run.sh, never by the tests.
// Single-threaded search (one query at a time on the calling thread); the build uses --build-threads threads.
#include "hnswlib.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Matrix {
    size_t rows = 0;
    size_t dim = 0;
    std::vector<float> values;  // row-major
    const float *row(size_t i) const { return values.data() + i * dim; }
};

bool exists(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return in.good();
}

// .bvecs (int32 d, then d unsigned bytes) or .fvecs (int32 d, then d float32), little-endian; at most maxRows rows.
Matrix readVecs(const std::string &path, size_t maxRows) {
    bool bytes = path.size() > 6 && path.compare(path.size() - 6, 6, ".bvecs") == 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    Matrix m;
    std::vector<unsigned char> buf;
    int32_t d = 0;
    while (m.rows < maxRows && in.read(reinterpret_cast<char *>(&d), 4)) {
        if (m.dim == 0) m.dim = static_cast<size_t>(d);
        if (static_cast<size_t>(d) != m.dim) throw std::runtime_error(path + ": rows of different dimensions");
        size_t old = m.values.size();
        m.values.resize(old + m.dim);
        if (bytes) {
            buf.resize(m.dim);
            if (!in.read(reinterpret_cast<char *>(buf.data()), static_cast<std::streamsize>(m.dim)))
                throw std::runtime_error(path + ": truncated");
            for (size_t j = 0; j < m.dim; j++) m.values[old + j] = static_cast<float>(buf[j]);
        } else if (!in.read(reinterpret_cast<char *>(m.values.data() + old), static_cast<std::streamsize>(4 * m.dim))) {
            throw std::runtime_error(path + ": truncated");
        }
        m.rows++;
    }
    return m;
}

std::vector<std::vector<int>> readIvecs(const std::string &path, size_t maxRows) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<std::vector<int>> rows;
    int32_t k = 0;
    while (rows.size() < maxRows && in.read(reinterpret_cast<char *>(&k), 4)) {
        std::vector<int> r(static_cast<size_t>(k));
        if (!in.read(reinterpret_cast<char *>(r.data()), 4L * k)) throw std::runtime_error(path + ": truncated");
        rows.push_back(std::move(r));
    }
    return rows;
}

std::string firstExisting(const std::string &dir, const std::string &stem) {
    for (const char *ext : {".bvecs", ".fvecs"}) {
        std::string p = dir + "/" + stem + ext;
        if (exists(p)) return p;
    }
    throw std::runtime_error("neither " + stem + ".bvecs nor " + stem + ".fvecs in " + dir);
}

// As io.quiver.hnsw.VectorKernels.normalize: the norm in float64, one float inverse (zero vectors stay zero).
void normalize(float *v, size_t dim) {
    double s = 0;
    for (size_t i = 0; i < dim; i++) s += static_cast<double>(v[i]) * v[i];
    if (s > 0) {
        float inv = static_cast<float>(1.0 / std::sqrt(s));
        for (size_t i = 0; i < dim; i++) v[i] *= inv;
    }
}

// The harness's true score in float64: Euclidean distance (lower is better) or dot product (higher is better).
double score(const float *a, const float *b, size_t dim, bool higherIsBetter) {
    double s = 0;
    if (higherIsBetter) {
        for (size_t i = 0; i < dim; i++) s += static_cast<double>(a[i]) * b[i];
        return s;
    }
    for (size_t i = 0; i < dim; i++) {
        double d = static_cast<double>(a[i]) - b[i];
        s += d * d;
    }
    return std::sqrt(s);
}

// AnnDataset.recall: a hit when the id is among the first k ground-truth ids, or when its true score ties the k-th
// ground-truth neighbour's within 1e-5 relative (duplicates in the data, as the data README says).
double recall(const Matrix &base, const float *q, const std::vector<int> &gt, const std::vector<size_t> &result,
              size_t k, bool higherIsBetter) {
    double kth = score(q, base.row(static_cast<size_t>(gt[k - 1])), base.dim, higherIsBetter);
    double tol = 1e-5 * std::max(1e-9, std::fabs(kth));
    size_t hits = 0;
    for (size_t i = 0; i < std::min(k, result.size()); i++) {
        size_t id = result[i];
        bool found = std::find(gt.begin(), gt.begin() + static_cast<long>(k), static_cast<int>(id)) !=
                     gt.begin() + static_cast<long>(k);
        if (!found) {
            double s = score(q, base.row(id), base.dim, higherIsBetter);
            found = higherIsBetter ? s >= kth - tol : s <= kth + tol;
        }
        if (found) hits++;
    }
    return static_cast<double>(hits) / static_cast<double>(k);
}

double nowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double cpuSeconds(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<size_t> parseList(const std::string &s) {
    std::vector<size_t> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!part.empty()) out.push_back(std::stoul(part));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

struct Pass {
    std::vector<std::vector<size_t>> results;
    std::vector<double> latencies;  // microseconds
    double seconds = 0;
    double cpuSeconds = 0;
};

Pass runQueries(hnswlib::HierarchicalNSW<float> &index, const Matrix &queries, size_t k) {
    Pass p;
    p.results.resize(queries.rows);
    p.latencies.resize(queries.rows);
    double cpu0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    double t0 = nowSeconds();
    for (size_t i = 0; i < queries.rows; i++) {
        auto s = std::chrono::steady_clock::now();
        auto top = index.searchKnn(queries.row(i), k);  // max-heap: worst first
        std::vector<size_t> ids(top.size());
        for (size_t j = top.size(); j-- > 0;) {
            ids[j] = top.top().second;
            top.pop();
        }
        p.latencies[i] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - s).count();
        p.results[i] = std::move(ids);
    }
    p.seconds = nowSeconds() - t0;
    p.cpuSeconds = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    return p;
}

// As the harness: the sorted latency at index floor(q * n).
double percentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    size_t i = static_cast<size_t>(std::floor(q * static_cast<double>(v.size())));
    return v[std::min(i, v.size() - 1)];
}

[[noreturn]] void usage(const char *why) {
    std::fprintf(stderr,
                 "%s\nusage: hnswlib_bench --data DIR --metric euclid|cosine [--queries N] [--ef 16,32,...] [--m 16]"
                 " [--ef-construct 100] [--build-threads B] [--warmup 1000] [--repeats 3]\n",
                 why);
    std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
    std::string dir;
    std::string metric;
    size_t maxQueries = SIZE_MAX;
    std::vector<size_t> efs = {16, 32, 64, 128};
    size_t m = 16;
    size_t efConstruct = 100;
    size_t buildThreads = std::max(1u, std::thread::hardware_concurrency());
    size_t warmup = 1000;
    size_t repeats = 3;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (i + 1 >= argc) usage(("missing value after " + a).c_str());
        std::string v = argv[++i];
        if (a == "--data") dir = v;
        else if (a == "--metric") metric = v;
        else if (a == "--queries") maxQueries = std::stoul(v);
        else if (a == "--ef") efs = parseList(v);
        else if (a == "--m") m = std::stoul(v);
        else if (a == "--ef-construct") efConstruct = std::stoul(v);
        else if (a == "--build-threads") buildThreads = std::stoul(v);
        else if (a == "--warmup") warmup = std::stoul(v);
        else if (a == "--repeats") repeats = std::stoul(v);
        else usage(("unknown option " + a).c_str());
    }
    if (dir.empty() || (metric != "euclid" && metric != "cosine")) usage("--data and --metric euclid|cosine needed");
    if (repeats < 1 || buildThreads < 1 || efs.empty()) usage("--repeats, --build-threads and --ef must be >= 1");
    const bool cosine = metric == "cosine";
    const size_t k = 10;

    Matrix base = readVecs(firstExisting(dir, "base"), SIZE_MAX);
    Matrix queries = readVecs(firstExisting(dir, "query"), maxQueries);
    auto gt = readIvecs(dir + "/gt-" + metric + ".ivecs", queries.rows);
    if (gt.size() < queries.rows) throw std::runtime_error("ground truth has fewer rows than queries");
    if (cosine) {  // as Qdrant and the harness: normalise at load, then the inner product
        for (size_t i = 0; i < base.rows; i++) normalize(base.values.data() + i * base.dim, base.dim);
        for (size_t i = 0; i < queries.rows; i++) normalize(queries.values.data() + i * queries.dim, queries.dim);
    }
    std::unique_ptr<hnswlib::SpaceInterface<float>> space;
    if (cosine) space = std::make_unique<hnswlib::InnerProductSpace>(base.dim);
    else space = std::make_unique<hnswlib::L2Space>(base.dim);
    std::fprintf(stderr, "hnswlib: %zu x %zu base, %zu queries, %s, m %zu, ef_construct %zu, %zu build threads\n",
                 base.rows, base.dim, queries.rows, metric.c_str(), m, efConstruct, buildThreads);

    // Build: the first point alone (it becomes the entry point), the rest from buildThreads threads, as hnswlib's
    // Python bindings do (addPoint is threadsafe for distinct labels).
    hnswlib::HierarchicalNSW<float> index(space.get(), base.rows, m, efConstruct, 100);
    double cpu0 = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    double t0 = nowSeconds();
    index.addPoint(base.row(0), 0);
    std::atomic<size_t> next{1};
    std::vector<std::thread> workers;
    for (size_t t = 0; t < buildThreads; t++) {
        workers.emplace_back([&] {
            for (size_t i = next++; i < base.rows; i = next++) index.addPoint(base.row(i), i);
        });
    }
    for (auto &w : workers) w.join();
    double buildSeconds = nowSeconds() - t0;
    double buildCpuSeconds = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    // The graph without the vectors and labels hnswlib keeps beside it: layer-0 link lists plus upper-level lists.
    size_t indexBytes = base.rows * index.size_links_level0_;
    for (size_t i = 0; i < base.rows; i++)
        indexBytes += static_cast<size_t>(index.element_levels_[i]) * index.size_links_per_element_;
    std::fprintf(stderr, "hnswlib: built in %.2f s (%.2f CPU s)\n", buildSeconds, buildCpuSeconds);

    Matrix warm = queries;
    warm.rows = std::min(warmup, queries.rows);
    for (size_t ef : efs) {
        index.setEf(ef);
        runQueries(index, warm, k);
    }
    for (size_t ef : efs) {
        index.setEf(ef);
        Pass best;
        for (size_t r = 0; r < repeats; r++) {
            Pass p = runQueries(index, queries, k);
            if (r == 0 || p.seconds < best.seconds) best = std::move(p);
        }
        double r1 = 0;
        double r10 = 0;
        for (size_t i = 0; i < queries.rows; i++) {
            r1 += recall(base, queries.row(i), gt[i], best.results[i], 1, cosine);
            r10 += recall(base, queries.row(i), gt[i], best.results[i], k, cosine);
        }
        double n = static_cast<double>(queries.rows);
        std::printf(
            "{\"system\":\"hnswlib\",\"metric\":\"%s\",\"ef\":%zu,\"recall1\":%.4f,\"recall10\":%.4f,\"qps\":%.1f,"
            "\"p50_us\":%.1f,\"p99_us\":%.1f,\"cpu_us\":%.1f,\"threads\":1,\"build_s\":%.2f,\"build_cpu_s\":%.2f,"
            "\"build_threads\":%zu,\"index_bytes\":%zu,\"vector_bytes\":%zu,\"m\":%zu,\"ef_construct\":%zu,"
            "\"queries\":%zu,\"repeats\":%zu}\n",
            metric.c_str(), ef, r1 / n, r10 / n, n / best.seconds, percentile(best.latencies, 0.50),
            percentile(best.latencies, 0.99), best.cpuSeconds * 1e6 / n, buildSeconds, buildCpuSeconds, buildThreads,
            indexBytes, base.rows * base.dim * sizeof(float), m, efConstruct, queries.rows, repeats);
        std::fflush(stdout);
    }
    return 0;
}
