// Replays inputs through the fuzz target without libFuzzer (any compiler), for regression tests:
//   kumo_fuzz_replay [-v] FILE|DIR...   every regular file, directories walked recursively
//   (-v names each input before running it, to find the one that hangs)
// Exit 0 when every input was processed; a crash or sanitizer report fails the test by itself.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

static bool verbose = false;

static bool replay(const fs::path& p) {
  if (verbose) std::fprintf(stderr, "%s\n", p.c_str());
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", p.c_str());
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return true;
}

int main(int argc, char** argv) {
  size_t count = 0;
  bool ok = true;
  for (int i = 1; i < argc; i++) {
    fs::path arg = argv[i];
    if (arg == "-v") {
      verbose = true;
      continue;
    }
    if (fs::is_directory(arg)) {
      std::vector<fs::path> files;
      for (auto& e : fs::recursive_directory_iterator(arg))
        if (e.is_regular_file() && e.path().filename() != "README.md") files.push_back(e.path());
      std::sort(files.begin(), files.end());  // deterministic order
      for (auto& f : files) ok &= replay(f), count++;
    } else if (fs::exists(arg)) {
      ok &= replay(arg), count++;
    } else {
      std::fprintf(stderr, "no such input: %s\n", argv[i]);
      ok = false;
    }
  }
  std::printf("replayed %zu input(s)\n", count);
  return ok ? 0 : 1;
}
