/**
 * Host memory behaviour that decides how fast whole models move off the GPU.
 *
 * `module.to('cpu')` (the official offload path: umT5 after encoding, an A14B expert at the boundary, the
 * DiT before the VAE decode) allocates fresh pageable host tensors and copies into them; every new page is
 * zeroed by the kernel on first touch. Its time per byte is the pageable D2H copy plus that first-touch
 * cost, which depends on the host, not the GPU:
 *   - transparent huge pages (2 MiB; THP "always", the RHEL-family and Alibaba Cloud Linux default): one
 *     fault per 2 MiB, dominated by zeroing it — 183 µs measured (calibration/host/page-faults-dev-vm.json,
 *     median of 3 runs of calibration/host/page_faults.c), 0.089 s/GiB;
 *   - 4 KiB pages on bare metal (THP "madvise", Ubuntu's default: PyTorch's CPU allocator does not madvise
 *     unless THP_MEM_ALLOC_ENABLE=1): ~1.0 µs per fault (median 1,013 ns, Linux 6.6 on an 11th-gen Core:
 *     https://ddumbying.vercel.app/experiments/pagefault-latency), 0.26 s/GiB;
 *   - 4 KiB pages in a VM: each fault exits to the hypervisor's page tables; on the H100 calibration VM
 *     `module.to('cpu')` ran at 1.44 GB/s against 12.2 GB/s for a pageable D2H copy into touched memory
 *     (calibration/profiles/h100-sxm.json host_link), i.e. 2.5 µs per 4 KiB page.
 * Node types default to bare metal with huge pages; the official Wan2.2 table's single-GPU offload times are
 * consistent with that (README, validation).
 */

export type HostPages = 'huge' | 'small' | 'small-vm';

export interface HostMemory {
  /** How fresh host memory is paged in: 2 MiB huge pages, 4 KiB pages on bare metal, 4 KiB pages in a VM. */
  pages: HostPages;
}

export const DEFAULT_HOST_MEMORY: HostMemory = { pages: 'huge' };

/** First-touch seconds per byte of fresh host memory, by paging mode (module doc). */
export const FIRST_TOUCH_S_PER_BYTE: Record<HostPages, number> = {
  huge: 183e-6 / 2 ** 21,
  small: 1.0e-6 / 4096,
  'small-vm': 2.5e-6 / 4096,
};

export const HOST_PAGES: readonly HostPages[] = ['huge', 'small', 'small-vm'];

/**
 * Rate (GB/s) of `module.to('cpu')` on a host: the pageable device-to-host copy rate plus first touch of
 * the new host pages.
 */
export function moduleToCpuGBs(pageableD2hGBs: number, host: HostMemory = DEFAULT_HOST_MEMORY): number {
  return 1 / (1 / (pageableD2hGBs * 1e9) + FIRST_TOUCH_S_PER_BYTE[host.pages]) / 1e9;
}
