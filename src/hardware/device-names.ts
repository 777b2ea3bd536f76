/**
 * The catalog GPU a device name stands for: the name `nvidia-smi --query-gpu=name` and
 * `torch.cuda.get_device_name()` print (ROCm's torch prints the AMD product name the same way), as an observed
 * trace, a profile or a bench file records it. Our own files show "NVIDIA H100 80GB HBM3" for the H100 SXM and
 * "NVIDIA H200" for the H200 SXM (calibration/profiles, calibration/serving/traces); the others follow the
 * vendors' product names. A name that is not one of the catalog's parts — a 40 GB A100, an RTX 4090 D, an H200
 * NVL — is undefined, never the nearest part: a check that compares a measured GPU with a modelled one must not
 * call two different GPUs the same.
 */
const PATTERNS: readonly [RegExp, string][] = [
  [/\bGB200\b/i, 'gb200'],
  [/\bB200\b/i, 'b200'],
  [/\bH200\b(?!.*\bNVL\b)/i, 'h200'],
  [/\bH100\b.*\bNVL\b/i, 'h100-nvl'],
  [/\bH100\b.*\bPCIe\b/i, 'h100-pcie'],
  [/\bH100\b.*\b(SXM|HBM3)/i, 'h100-sxm'],
  [/\bH800\b/i, 'h800'],
  [/\bH20\b/i, 'h20'],
  [/\bA100\b.*\bPCIe\b.*80\s*GB|\bA100\b.*80\s*GB.*\bPCIe\b/i, 'a100-pcie-80g'],
  [/\bA100\b.*\bSXM4?\b.*80\s*GB/i, 'a100-sxm-80g'],
  [/\bA800\b.*80\s*GB/i, 'a800'],
  [/\bL40S\b/i, 'l40s'],
  [/\bL4\b/i, 'l4'],
  [/\bL20\b/i, 'l20'],
  [/\bRTX\s*4090\b(?!\s*D\b)/i, 'rtx4090'],
  [/\bRTX\s*3090\b(?!\s*Ti\b)/i, 'rtx3090'],
  [/\bA10\b/i, 'a10'],
  [/\bMI300X\b/i, 'mi300x'],
  [/\bMI325X\b/i, 'mi325x'],
  [/\bMI355X\b/i, 'mi355x'],
  [/\bAscend\s*910B/i, 'ascend-910b'],
  [/\bAscend\s*910C/i, 'ascend-910c'],
];

/** The catalog GPU id of a device name, or undefined where the name is not one of the catalog's parts. */
export function catalogGpuOfDeviceName(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  return PATTERNS.find(([re]) => re.test(name))?.[1];
}
