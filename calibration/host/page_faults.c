/*
 * First-touch cost of fresh anonymous memory, the cost `module.to('cpu')` pays for every host tensor it
 * allocates: 4 KiB pages (THP off for the mapping) versus 2 MiB transparent huge pages (MADV_HUGEPAGE).
 *   gcc -O2 -o /tmp/page_faults calibration/host/page_faults.c && /tmp/page_faults 2   # GiB per run
 * Prints JSON: seconds per GiB touched and µs per fault, best of 3 runs each.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static double touch(size_t bytes, int advice, int rep) {
  double best = 1e30;
  for (int r = 0; r < rep; r++) {
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    if (advice >= 0) madvise(p, bytes, advice);
    double t0 = now();
    for (size_t i = 0; i < bytes; i += 4096) p[i] = 1; /* first touch: one fault per page (per huge page with THP) */
    double t = now() - t0;
    if (t < best) best = t;
    munmap(p, bytes);
  }
  return best;
}

int main(int argc, char **argv) {
  double gib = argc > 1 ? atof(argv[1]) : 1.0;
  size_t bytes = (size_t)(gib * (1UL << 30));
  double small = touch(bytes, MADV_NOHUGEPAGE, 3);
  double huge = touch(bytes, MADV_HUGEPAGE, 3);
  printf("{\"gib\": %.2f, \"touch_4k_s_per_gib\": %.4f, \"fault_4k_us\": %.3f, \"touch_thp_s_per_gib\": %.4f, \"fault_2m_us\": %.1f}\n",
         gib, small / gib, small / (bytes / 4096.0) * 1e6, huge / gib, huge / (bytes / 2097152.0) * 1e6);
  return 0;
}
