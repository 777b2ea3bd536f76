/**
 * Citation strings used in the `sources` maps. Bracketed ids [x] are keys of `references` in
 * /work/shared/data/hardware-catalog.json (same ids as hardware-catalog.md); the URL follows.
 * Entries without a catalog id were found with the search tool while building this catalog.
 */

const c = (id: string, url: string): string => `[${id}] ${url}`;

export const R = {
  // ---- shared project data ----
  catalogJson: 'shared catalog /work/shared/data/hardware-catalog.json',
  catalogMd: 'shared catalog /work/shared/data/hardware-catalog.md',
  microbench:
    '/work/shared/data/h100-microbench.json (one H100 SXM 80GB HBM3, 700 W, measured 2026-11-25; nvidia-smi + CUDA events)',

  // ---- datasheets / vendor tables (via transcripts) ----
  hpctechH100: c(
    'hpctech-h100',
    "https://archive-lib.hpctech.co.jp/gpuproduct/nvidia-h100.html (NVIDIA H100 SXM/PCIe datasheet transcript; '* with sparsity, 1/2 lower without')",
  ),
  klockwoodH100: c('klockwood-h100', 'https://glennklockwood.com/garden/processors/h100'),
  klockwoodA100: c('klockwood-a100', 'https://glennklockwood.com/garden/processors/A100'),
  klockwoodB200: c('klockwood-b200', 'https://glennklockwood.com/garden/processors/B200'),
  jishuzhan: c(
    'jishuzhan',
    'https://jishuzhan.net/article/1872432607539499010 (reproduces NVIDIA H100 SXM / H100 NVL datasheet table; Ascend 910B figures)',
  ),
  nvH100PciePb: c(
    'nv-h100pcie-pb',
    'https://manuals.plus/m/d4b5dc21484df3ba8fbe84918338461cc074a3fcebcc13423eadc2b10ac3bda4 (NVIDIA H100 PCIe Product Brief PB-11133-001_v02)',
  ),
  nvHgxB200Table:
    'https://zdszero.github.io/Computer/Artificial_Intelligence/Hardware.html (reproduces NVIDIA GB200 NVL72 / HGX B200 spec table: per-GPU FP32, TF32, FP64, memory)',
  mulletL40s: c(
    'mullet-l40s',
    "https://www.mullet.se/product.html?product_id=355414 (NVIDIA L40/L40S datasheet transcript; '* with sparsity')",
  ),
  aiwikiL4: c('aiwiki-l4', 'https://aiwiki.ai/wiki/nvidia_l4 (NVIDIA L4: AD104, 72 W, single-slot low-profile PCIe Gen4, 24 GB GDDR6 at 300 GB/s; datasheet figures, * with sparsity)'),
  sourcecodeL4: 'https://store.sourcecode.com/en-us/bg-bucket-compare/125/9820 (vendor spec sheet: L4 boost 2040 MHz, 24 GB, 300 GB/s, TF32 120* / INT8 485* TOPS with sparsity, PCIe 4.0 x16)',
  fpsbenchL4: 'https://fpsbench.com/compare/gpu/nvidia-l4-vs-nvidia-tesla-m40 (TechPowerUp-style spec: FP32 30.29 TFLOPS, FP64 473.3 GFLOPS (1:64), boost 2040 MHz)',
  yobitelL4: 'https://www.yobitel.com/knowledge-base/nvidia-l4 (121 TFLOPS BF16 dense, 242 FP8 dense; $0.40-0.55/GPU/hr on-demand at hyperscalers, GCP G2 / AWS G6, 2026)',
  itcreationsL40s: c('itcreations-l40s', 'https://www.itcreations.com/nvidia-gpu/nvidia-l40s-gpu-accelerator'),
  computizerL40s:
    'https://computizer.com/products/nvidia-l40s-48gb-gddr6-graphics-card-for-ai-and-graphics-performance (TechPowerUp-style spec: 142 SMs, boost 2520 MHz, PCIe 4.0 x16)',
  tomsH4090: c(
    'toms-4090',
    "https://holynerdvana.blogspot.com/2022/10/nvidia-geforce-rtx-4090-specifications.html (copy of Tom's Hardware spec table)",
  ),
  waredb4090: c('waredb-4090', 'https://waredb.com/processor/nvidia-geforce-rtx-4090'),
  adaWhitepaperQuote:
    'NVIDIA Ada GPU Architecture whitepaper v2.1 Appendix A (RTX 4090), as quoted in public GitHub code (code-index file id 71252828429): BF16/FP16 Tensor FP32-acc 165.2/330.4, FP8 FP32-acc 330.3/660.6 (corrected in whitepaper v2.02, footnote 4)',
  toms3090: c(
    'toms-3090',
    "https://holynerdvana.blogspot.com/2022/10/nvidia-geforce-rtx-3090-specifications.html (copy of Tom's Hardware spec table)",
  ),
  ga102WhitepaperQuote:
    'NVIDIA GA102 whitepaper V1 (https://images.nvidia.com/aem-dam/en-zz/Solutions/geforce/ampere/pdf/NVIDIA-ampere-GA102-GPU-Architecture-Whitepaper-V1.pdf), RTX 3090 "Peak FP16 Tensor TFLOPS with FP32 Accumulate: 71", as quoted in public GitHub notes (code-index file ids 25156004927, 1368983704)',
  cutlassTf32Geforce:
    'github NVIDIA/cutlass discussions/390 (maintainer: on GeForce Ampere "FP32 w/o tensor core has the same perf as TF32 w/ tensor core")',
  hfGa102: c(
    'hf-ga102',
    'HF transformers perf_hardware doc quoting NVIDIA GA102 whitepaper (NVLink bridge 4 x4 links, 56.25 GB/s per direction)',
  ),
  sysrqmtsA10: c('sysrqmts-a10', 'https://sysrqmts.com/ru/gpus/compare/nvidia-a10-pcie-vs-nvidia-quadro-rtx-4000'),
  timefliesA10: c('timeflies-a10', 'github focusunsink/timeflies hardware_spec.py'),
  technicalcityL20: c('technicalcity-l20', 'https://technical.city/pl/video/L20'),
  topcpuL20: c('topcpu-l20', 'https://www.topcpu.net/en/gpu-c/a40-pcie-vs-l20'),
  taoguba: c('taoguba', 'https://www.taoguba.com.cn/Article/2551318/blog/Article/5364790/1'),
  zangshuxianH20: c('zangshuxian-h20', 'https://zangshuxian.com/new/674733024499207168'),
  tweaktownH20: c(
    'tweaktown-h20',
    'https://www.tweaktown.com/news/95224/nvidias-tweaked-h20-ai-gpu-enters-mass-production-in-q2-2024-destined-for-china/index.html',
  ),
  philisunH800: c(
    'philisun-h800',
    'https://www.philisun.com/technical-analysis/nvidia-h800-vs-h100-a-technical-deep-dive-into-politically-defined-ai-chips',
  ),
  aiwikiA800: c('aiwiki-a800', 'https://aiwiki.ai/wiki/nvidia_a800'),
  thundercomputeA100: c('thundercompute-a100', 'https://www.thundercompute.com/blog/nvidia-a100-specs-full-guide'),
  gpublogNvl: c('gpublog-nvl', 'https://gpu.blog/gpus/nvidia-h100-nvl'),
  cputronicH100Pcie: 'https://cputronic.com/de/gpu/nvidia-h100-pcie (boost 1755 MHz; gpu.blog lists 1770 MHz)',
  hmcB200: 'https://hmc-tech.com/gpus/nvidia-b200-vs-nvidia-gb200 (secondary spec aggregator: 148 SMs, boost 1.98 GHz B200; 296 SMs / 2.11 GHz per 2-GPU GB200 superchip)',
  vultrB200: c('vultr-b200', 'https://docs.vultr.com/inference-cookbook/cuda/getting-started/hardware-overview'),
  nvDgxB200Ug: c('nv-dgxb200-ug', 'https://docs.nvidia.com/dgx/dgxb200-user-guide/introduction-to-dgxb200.html'),
  verdaGb300: c('verda-gb300', 'https://verda.com/blog/gb300-nvl72-architecture'),
  azureGb200: c('azure-gb200', 'github Azure/AI-benchmarking-guide Azure_Results/ND_GB200_v6_results.md'),
  hyperloom: c(
    'hyperloom',
    "github AMD-AGI/Hyperloom src/hyperloom/inference_optimizer/roofline_ceiling.py (AMD, 'peak_tflops is DENSE peak'; also lists fp32 163.4 MI300X/MI325X, 157.3 MI355X)",
  ),
  rocmGpuSpecs: c('rocm-gpuspecs', 'https://rocm.docs.amd.com/en/7.13.0-preview/reference/gpu-specs.html (VRAM GiB, CU counts)'),
  mlperfMi300x: c('mlperf-mi300x', 'github mlcommons/inference_results_v4.1 closed/AMD/systems/8xMI300X_2xEPYC-9374F.json'),
  mlperfMi355x: c(
    'mlperf-mi355x',
    'https://raw.githubusercontent.com/mlcommons/inference_results_v6.0/main/closed/AMD/results/87xMI355X_22xEPYC_9575F/summary.html',
  ),
  svethardwareMi355x:
    'https://www.svethardware.cz/amd-uvadi-akceleratory-instinct-mi350x-a-mi355x-s-288gb-pameti-hbm3e/61870 (MI355X 2400 MHz, 1400 W, FP32 157.3 TFLOPS)',
  awesomeMi325x: c('awesome-mi325x', 'https://awesomeagents.ai/hardware/amd-mi325x'),
  tomsMi355x: c('toms-mi355x', 'https://www.tomshardware.com/pc-components/gpus/amds-instinct-mi355x-accelerator-will-consume-1-400-watts'),
  giteeAscend: c('gitee-910b', 'https://ai.gitee.com/docs/compute/clusters_gpu/ascend_gpu'),
  oryoy910b: c('oryoy-910b', 'https://www.oryoy.com/news/910b-suan-li-shi-duo-shao-jie-mi-hua-wei-sheng-teng-910b-xin-pian-de-xing-neng-can-shu-yu-shi-ji-sua.html'),
  borimooc910b: c('borimooc-910b', 'https://borimooc.com/mNoticeDetail/1187.htm'),
  techpowerup910c: c(
    'techpowerup-910c',
    'https://techpowerup.com/335749/huawei-prepares-6-nm-ascend-920c-accelerator-900-teraflops-4000-gb-s-hbm3',
  ),
  aiwiki910c: c('aiwiki-910c', 'https://aiwiki.ai/wiki/huawei_ascend_910c'),
  besthubRoadmap: c(
    'besthub-roadmap',
    'https://www.besthub.dev/articles/huawei-ascend-ai-chip-detailed-specs-comparison-2025-2028-roadmap-a247a4760c30',
  ),
  awesome910c: c('awesome-910c', 'https://awesomeagents.ai/hardware/huawei-ascend-910c'),

  // ---- public nvidia-smi / rocm-smi outputs (found with find_string over public GitHub files) ----
  smiH100: 'public nvidia-smi outputs "NVIDIA H100 80GB HBM3 ... 81559MiB" (e.g. github wilicc/gpu-burn issue #114) and microbench gpu line',
  smiH100Pcie:
    'public nvidia-smi outputs "NVIDIA H100 PCIe ... /81559MiB", idle rows with 0-1 MiB used: 46 W, 49 W (code-index file ids 31353373741, 375550049)',
  smiH100Nvl:
    'public nvidia-smi outputs "NVIDIA H100 NVL ... /95830MiB", default cap 400 W, idle rows 0-1 MiB used: 62, 64, 61 W (code-index ids 14249706504, 22207881571, 32871966464)',
  smiH800:
    'public nvidia-smi outputs "NVIDIA H800 ... /81559MiB", power cap 700 W, idle row 1 MiB used: 89 W (code-index ids 57382739794, 40223502532)',
  smiH20:
    'public nvidia-smi outputs "NVIDIA H20 ... /97871MiB", idle 72 W (3 rows), power cap shown 500 W (code-index ids 10232534572, 69782509629)',
  smiH200:
    'public nvidia-smi outputs "NVIDIA H200 ... /143771MiB", idle rows 0-1 MiB used: 74, 76, 73, 79, 74 W (code-index ids 61400290898, 71515830599, 55407386739)',
  smiB200:
    'public nvidia-smi outputs "NVIDIA B200 ... /183359MiB", idle rows 0 MiB used: 141, 136, 136, 195 W (code-index ids 69603639138, 9174932594, 39984711153, 8858901986)',
  smiGb200:
    'public nvidia-smi outputs "NVIDIA GB200 ... /189471MiB", cap 1200 W, idle rows 0-2 MiB used: 181, 156, 166, 166, 162 W (code-index ids 54650828460, 58750094259, 56854586700, 51864327511)',
  smiA100:
    'public nvidia-smi outputs "NVIDIA A100-SXM4-80GB ... /81920MiB", idle P0 rows 0-4 MiB used: 54, 58, 59, 60, 61, 62, 65 W (code-index ids 51882073123, 26437385129, 39026698526, 62462226790, 69788947556, 20791817833)',
  smiA100Pcie:
    'public nvidia-smi outputs "NVIDIA A100 80GB PCIe ... /81920MiB", idle rows 0-4 MiB used: 45, 40, 45, 49, 54 W (code-index ids 70130704178, 2450430130, 61951418951, 3846834437, 10932353035)',
  smiA800:
    'public nvidia-smi outputs "NVIDIA A800-SXM4-80GB ... /81920MiB", cap 400 W, idle rows: 62, 55, 57, 55 W (code-index ids 36921727690, 70487217999, 34116126722)',
  smiL40s:
    'public nvidia-smi outputs "NVIDIA L40S ... /46068MiB" (ECC on), P8 idle rows: 33, 23, 22, 34 W; open-gpu-kernel-modules issue #874 (code-index ids 52764785937, 41722143062, 1249947263, 69042124426)',
  smiL20:
    'public nvidia-smi outputs "NVIDIA L20 ... /46068MiB" (ECC on), cap shown 350 W, P8 idle rows: 33, 25 W (code-index ids 67533193225, 57433044301)',
  smi4090:
    'public nvidia-smi outputs "NVIDIA GeForce RTX 4090 ... /24564MiB", P8 idle rows: 25, 18, 18, 32, 16, 14, 19, 9 W (code-index ids 54886456304, 54697833809, 54773292511, 22879072891, 54661675280, 54833937439, 42013387667, 5182754809)',
  smi3090:
    'public nvidia-smi outputs "NVIDIA GeForce RTX 3090 ... /24576MiB", headless P8 idle rows (Disp.A Off): 23, 31, 21 W (code-index ids 48118901540, 29286191618, 27696455684)',
  smiA10:
    'public nvidia-smi outputs "NVIDIA A10 ... /23028MiB" (ECC on; 24564MiB with ECC off), P8 idle rows: 15, 22, 22, 23, 9, 15 W (code-index ids 31700982425, 37159546247, 47079349797, 53238574313, 8911333273)',
  rocmSmiMi300x:
    'public rocm-smi / torch outputs "VRAM Total Memory (B): 205822885888" for AMD Instinct MI300X (code-index ids 70352164058, 680981439, 68445414372)',

  // ---- prices ----
  hfHwH100: c('hf-hw-h100', 'https://huggingface.co/hardware/h100'),
  genai4a11: c('genai4a11', 'https://genai4a11.github.io/concepts/hardware.html'),
  aiinframapTco: c('aiinframap-tco', 'https://www.aiinframap.com/tools/chips/h100-vs-h200-vs-b200-tco'),
  fp4devTco: c('fp4dev-tco', 'https://www.fp4.dev/silicon/h100-h200-b200-tco/'),
  hfHwMi300: c('hf-hw-mi300', 'https://huggingface.co/hardware/mi300'),
  awesomeMi300x: c('awesome-mi300x', 'https://awesomeagents.ai/hardware/amd-mi300x'),
  reutersH20: c('reuters-h20', 'https://dunyanews.tv/amp/english/788751.php (Reuters report on H20 pricing)'),
  huxiuH20: c('huxiu-h20', 'https://soramidjourney.com/?p=5618 (Huxiu/SemiAnalysis report on H20)'),
  deploybaseRunpod: c('deploybase-runpod', 'https://deploybase.ai/articles/runpod-gpu-pricing (RunPod prices, Mar 2026)'),
  deploybase4090: c('deploybase-4090', 'https://deploybase.ai/articles/rtx-4090-cloud'),
  techbytesServerless: c(
    'techbytes-serverless',
    'https://techbytes.app/posts/serverless-gpu-pricing-matrix-modal-replicate-lambda-2026/ (Lambda prices, May 2026)',
  ),
  cliffcenterAmd: c('cliffcenter-amd', 'https://www.cliffcenter.com/research/amd-inference-economics (2026-05)'),
  pricegpu: c('pricegpu-h100a100', 'https://pricegpu.pages.dev/blog/h100-vs-a100-cloud-price'),
  packetai: c('packetai-pricing', 'https://packet.ai/blog/gpu-pricing-models-compared'),
  useluminix: c(
    'useluminix-neocloud',
    'https://www.useluminix.com/reports/industry-analysis/deep-dive-on-the-neocloud-gpu-rental-industry-coreweave-lambda-crusoe/source/4',
  ),
  epochCosts: c('epoch-costs', 'github epoch-research/training-cost-trends (SemiAnalysis DGX H100 BOM / sale price)'),
  superclusterDgxHw: c('supercluster-dgx-hw', 'https://www.supercluster.blog/p/4-nvidia-dgx-h100-hardware'),
  v2pseoTco: c('v2pseo-tco', 'https://v2-pseo-ai.pages.dev/tools/gpu-tco-analysis'),
  techtalkcto: c(
    'techtalkcto-freakonomics',
    'https://substack.tech-talk-cto.com/p/h100-freakonomics-the-economical (+ linked public sheet)',
  ),

  // ---- links / collectives ----
  textbookNvlink: c('textbookofai-nvlink', 'https://www.textbookofai.com/glossary/nvlink.html'),
  alphaoneNet: c('alphaone-net', 'https://alpha-one-index.github.io/ai-infra-index/specs/networking-interconnects.html'),
  ttsugriy: c('ttsugriy', 'https://ttsugriy.github.io/distributed-training-book/appendices/hardware-assumptions'),
  faraday: c('faraday-nvlink', 'https://fridayswithfaraday.com/posts/gpu-hw-nvlink-nvswitch-interconnect'),
  factryze: c('factryze-tree', 'https://factryze.ai/scale-atlas/collectives/tree-reduce-latency'),
  jiahuang: c('jiahuang-interconnect', 'https://jiahuanglin.xyz/all_lessons/system_ml/lessons/03_interconnect.html'),
  ziashIb: c('ziash-ib', 'https://ziash.github.io/nvidia-nca-aiio-study-guide/02-ai-infrastructure/08-networking-protocols/'),
  mortalappsNdr: c('mortalapps-ndr', 'https://mortalapps.com/infrastructure/ai-networking-interconnects/infiniband-ndr-networking/'),
  pingdoXdr: c('pingdo-xdr', 'https://pingdo.net/ai-infrastructure/infinitiband-ndr800-vs-ndr400'),
  pcie6Summary: c('pcie6-summary', 'http://65.0.99.13/noble-fable/pci-express-base-specification-revision-6-0 (third-party summary of PCIe 6.0 spec)'),
  velocitymicro: c('velocitymicro', 'https://velocitymicro.com/blog/pcie-gen-5-ssd-availability-and-specs'),
  azureH100: c('azure-h100', "github Azure/AI-benchmarking-guide 'Azure Results/ND_H100_v5_results.md'"),
  azureH200: c('azure-h200', 'github Azure/AI-benchmarking-guide Azure_Results/ND_H200_v5_results.md'),
  azureA100: c('azure-a100', 'github Azure/AI-benchmarking-guide Azure_Results/ND_A100_v4_results.md'),
  azureMi300x: c(
    'azure-mi300x',
    'github samuel-bohman/AI-benchmarking-guide Azure_Results/ND_MI300X_v5_results.md (fork of Azure/AI-benchmarking-guide)',
  ),
  azureDocsMi300x: c(
    'azure-docs-mi300x',
    'github MicrosoftDocs/azure-docs articles/virtual-machines/sizes/gpu-accelerated/nd-mi300x-v5-series.md',
  ),
  nccl1455: c('nccl-1455', 'https://github.com/NVIDIA/nccl/issues/1455'),
  nccltests326: c('nccltests-326', 'https://github.com/NVIDIA/nccl-tests/issues/326'),
  nccltests212: c('nccltests-212', 'https://github.com/NVIDIA/nccl-tests/issues/212'),
  nccltests290: c('nccltests-290', 'https://github.com/NVIDIA/nccl-tests/issues/290'),
  nccltests272: c('nccltests-272', 'https://github.com/NVIDIA/nccl-tests/issues/272'),
  nccltests267: c('nccltests-267', 'https://github.com/NVIDIA/nccl-tests/issues/267'),
  nccltests149: c('nccltests-149', 'https://github.com/NVIDIA/nccl-tests/issues/149'),
  nccltests100: c('nccltests-100', 'https://github.com/NVIDIA/nccl-tests/issues/100'),
  nccltests175: c('nccltests-175', 'https://github.com/NVIDIA/nccl-tests/issues/175'),
  nccltests29: c('nccltests-29', 'https://github.com/NVIDIA/nccl-tests/issues/29'),
  nccl1374: c('nccl-1374', 'https://github.com/NVIDIA/nccl/issues/1374'),
  nccl1161: c('nccl-1161', 'https://github.com/NVIDIA/nccl/issues/1161'),
  nccl2409: c('nccl-2409', 'https://github.com/NVIDIA/nccl/issues/2409'),
  nccl1244: c('nccl-1244', 'https://github.com/NVIDIA/nccl/issues/1244'),
  nccl1218: c('nccl-1218', 'https://github.com/NVIDIA/nccl/issues/1218'),
  nccl1639:
    'https://github.com/NVIDIA/nccl/issues/1639 (8x RTX 5090 PCIe Gen5, 2x Xeon 8480+: AllReduce busbw 28 GB/s at 8 GPUs, 35 GB/s at 4 GPUs; maintainer: PCI systems are bound by CPU/memory bandwidth)',
  nccltests307:
    'https://github.com/NVIDIA/nccl-tests/issues/307 (8x RTX 4090 server: two groups of 4 GPUs behind one PCIe switch each (PIX), groups on different sockets (SYS); NCCL topology log models PCIe Gen4 x16 at 24.0 GB/s and the inter-socket path at 10.0 GB/s; one NIC mlx5_bond_0)',
  alayanewNccl: c('alayanew-nccl', 'https://docs.alayanew.com/en/docs/tech-blog/2026-05-06-nccl-tests'),
  saturnNccl: c('saturn-nccl', 'https://saturncloud.io/blog/crusoe-nccl-cluster-validation'),
  lixueduanMnnvl: c('lixueduan-mnnvl', 'https://www.lixueduan.com/posts/ai/13-gb200-mnnvl-nccl-test'),
  deepseekV3: c('deepseek-v3', 'DeepSeek-V3 Technical Report (arXiv 2412.19437) §3.2.2'),
  deepseekIsca: c(
    'deepseek-isca-quote',
    "DeepSeek ISCA'25 co-design paper quote 'NVLink bandwidth in H800 SXM nodes is reduced from 900 GB/s to 400 GB/s'",
  ),
  fudzillaH800: c('fudzilla-h800', 'https://fudzilla.net/news/ai/56578-nvidia-modifies-h100-to-sell-it-to-china'),
  techpowerupH800: c('techpowerup-h800', 'https://techpowerup.com/news-tags/chip?page=8 (Reuters-sourced H800/A800 item)'),
  aiminingcoNvl: c('aiminingco-nvl', 'https://www.aiminingco.com/gpu/h100-nvl/specs'),
  catalogoneNvlink: c('catalogone-nvlink', 'https://catalogone.com/data-center-and-cloud-computing-nvlink-nvswitch (copy of NVIDIA NVLink/NVSwitch page)'),
  deploybaseC2c: c('deploybase-c2c', 'https://deploybase.ai/articles/nvidia-gb200-nvl72'),
  wheelerIf: c('wheeler-if', 'https://www.wheelersnetwork.com/2024/01/'),
  rocmXgmiBlog: c('rocm-xgmi-blog', 'https://rocm.blogs.amd.com/software-tools-optimization/mi300x-rccl-xgmi/README.html'),
  vengineer910: c('vengineer-910', 'https://vengineer.hatenablog.com/entry/2019/09/06/070000'),
  gdsTheory: c('gds-theory', 'https://gds-bench.farmgpu.net/theory/'),
  gdsReport: c('gds-report', 'https://gds-report.pages.dev/gdsio/'),
  wwtHpn: c('wwt-hpn', 'https://www.wwt.com/article/the-basics-of-high-performance-networking'),
  upiWiki:
    'https://web-production-4e80b.up.railway.app/page/Intel_Ultra_Path_Interconnect (wiki mirror: UPI 2.0 in Sapphire Rapids up to 16 GT/s, "up to ~38.4 GB/s per direction per link")',
  upiLowlat:
    'https://lowlat-ms.pages.dev/glossary/qpi (typical 2-socket Xeon: 2-3 UPI links, each ~20-25 GB/s per direction; remote access adds ~40-50 ns)',

  // ---- nodes ----
  nvBasepod: c('nv-basepod', 'https://docs.nvidia.com/dgx-basepod/reference-architecture-infrastructure-foundation-enterprise-ai/latest/core-components.html'),
  nvSuperpodH100: c('nv-superpod-h100', 'https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-h100/latest/dgx-superpod-components.html'),
  unansweredDgx: c('unanswered-dgx', 'https://unanswered.io/guide/nvidia-dgx-power-consumption-watts (summarises NVIDIA DGX H100/H200 user guide power specs)'),
  flashgeniusDgx: c('flashgenius-dgx', 'https://flashgenius.net/guides/ai-server-systems-amp-platform-design-ncp-aii-guide'),
  superclusterDgxPower: c('supercluster-dgx-power', 'https://www.supercluster.blog/p/6-ai-supercluster-nvidia-dgx-h100'),
  latif: c(
    'latif-2412.08602',
    "Latif et al., 'Single-Node Power Demand During AI Training: Measurements on an 8-GPU NVIDIA H100 System', IEEE Access 2025 / arXiv 2412.08602 (max 8.48 kW measured vs 10.2 kW rating)",
  ),
  bnl: c('bnl-2506.14551', "arXiv 2506.14551 'Empirically-Calibrated H100 Node Power Models' (compute-intensive training at ~76% of 10.2 kW)"),
  lynx: c('lynx-dc-econ', 'https://lynx-cortex.pages.dev/extension-track/X4-hardware-deep-dive/theory/04-datacenter-economics/ (textbook: DGX H100 node IT ~6.2 kW = 8x700 + 500 host + 100 net)'),
  mlperfH200Sys:
    'github mlcommons/inference_results_v4.1 closed/NVIDIA/systems/H200-SXM-141GBx8_TRT_MaxQ.json (2x Xeon 8480C, 2 TB as 32x 64GB, PCIe Gen5 x16 host interconnect)',
  mlperfDellH100: c('mlperf-dell-h100', 'github mlcommons/inference_results_v3.1 closed/Dell/systems/XE9680_H100_SXM_80GBx8_TRT.json'),
  mlperfEsc8000:
    'github mlcommons/inference_results_v4.1 closed/ASUSTeK/results/ESC8000A_E12_H100x8_TRT/README.md (ASUS ESC8000A-E12, 8x H100-PCIe-80GB, PCIe Gen5 x16, 2x AMD EPYC 9374F, host_memory_capacity "2 TB" with configuration "16x 64GB", 2x ConnectX-7 (MT2910) InfiniBand, "GPU-PCIe data bandwidth 504 GB/s; PCIe-NIC 126 GB/s", PSU fields empty)',
  splitwiseSim: c('splitwise-sim', 'github Mutinifni/splitwise-sim configs/hardware_repo/skus/dgx-h100.yaml, dgx-a100.yaml'),
  pcnewsDgxA100:
    'https://pcnews.ru/news/vycislitelnaa_sistema_nvidia_dgx_a100_ampere_osnasaetsa_sestu_blokami_pitania_po_3_kvt-985106.html (DGX A100 user-guide summary: 2x EPYC 7742, RAM up to 2 TB, SSD up to 30 TB, max 6,500 W, 6x 3 kW PSU half redundant)',
  geektopiaDgxA100:
    'https://geektopia.es/es/technology/2020/05/14/noticias/nvidia-anuncia-el-servidor-dgx-a100-ocho-tesla-a100-desde-200-000-dolares.html (DGX A100: 8 Mellanox NICs at 200 Gb/s, 6 NVSwitch, height 26.4 cm, from ~$200k)',
  gadgetmixDgxA100: 'http://gadgetmix.com/nvidia-a100-gpu-with-ampere-architecture/2470/ (DGX A100 320GB "will be shipped for 199,000 dollars")',
  dailyscoutB200: c('dailyscout-b200', 'https://thedailyscout.com/s/mS-qfkbCluI'),
  registerB200: c('register-b200', 'https://wajnetpk.blogspot.com/2024/03/NVIDIA-DGX-B200.html (copy of The Register B200 article)'),
  storagereviewXe9680:
    'https://www.storagereview.com/it/review/dell-poweredge-xe9680-the-ultimate-ai-powerhouse (XE9680: 6U, 8 GPUs incl. AMD Instinct MI300X option, six PSUs totalling 19,200 W in 3+3 fault-tolerant redundancy)',
  daocloudAtlas:
    'github DaoCloud/DaoCloud-docs docs/en/docs/storage/dorado/oceanstor.md (Atlas 800T A2 test server: 2x Kunpeng 920, 8x Ascend 910B 64G, 4x 2-port 200GE RoCE NIC (parameter plane), 2x 480GB SATA SSD system disks, 4U)',
  falMachines: 'https://docs.fal.ai/documentation/deployment/machine-types (GPU-RTX4090 machine type: 24 GB VRAM, 48 GB RAM, 12 CPU cores)',
  notebookcheck4090: 'https://www.notebookcheck.pl/NVIDIA-NVIDIA-GeForce-RTX-4090.677670.0.html (NVIDIA recommends an 850 W PSU for the RTX 4090)',
  intelTpsPsu:
    'http://38.142.81.21:8001/manual/intel/r2312ip4lhpc/2-technical-product-specification/page-55.html (Intel Server System P4000IP TPS, 80 PLUS Platinum requirement: 94% efficiency at 50% load, 91% at 100%, 90% at 20%)',

  // ---- storage ----
  nuvorixNvme: c('nuvorix-nvme', 'https://nuvorix.com/glossary/nvme'),
  digiopediaGen5: c('digiopedia-gen5', 'https://www.digiopedia.com/2025/10/pcie-gen-50-nvme-fastest-ssd-interface.html'),
  superpodRa: c('superpod-ra-copy', 'https://cidian.kuaisou.com/dgx-superpod-reference-architecture-dgx-h100 (copy of NVIDIA DGX SuperPOD H100 RA)'),
  certsforce: c('certsforce-storage', 'https://www.certsforce.com/discussions/nvidia/view/exam-ncp-aii-topic-3-question-28-discussion'),
  s3Benchmark:
    'github dvassallo/s3-benchmark README.md (2019-04 sweep of 155 EC2 types: max S3 download 8,003 MB/s on c5n.18xlarge; p90 time-to-first-byte ~20 ms; ~93 MB/s per thread)',
  fastsafetensors: c('fastsafetensors-readme', 'foundation-model-stack/fastsafetensors README.md'),
  vllm52462: c('vllm-52462', 'https://github.com/vllm-project/vllm/pull/52462'),

  // ---- power / price defaults ----
  uptimePue: c('uptime-pue-2023', 'https://intelligence.uptimeinstitute.com/resource/large-data-centers-are-mostly-more-efficient-analysis-confirms'),
  statistaPue: c('statista-pue-2024', 'Statista/Uptime 2024 survey entry; Equinix entry (via Google dataset search)'),
  statistaEia: c('statista-eia-industrial', 'https://www.statista.com/statistics/190680/us-industrial-consumer-price-estimates-for-retail-electricity-since-1970/ (EIA data)'),
  eiaEpm: c('eia-epm-5.6b', 'https://www.eia.gov/electricity/monthly/epm_table_grapher.php?t=epmt_5_06_b'),
  chinabriefing: c('chinabriefing-power', 'https://china-briefing.com/news/china-electricity-prices-industrial-consumers'),
  cbreH2_2024: c('cbre-h2-2024', 'https://www.cbre.com/insights/reports/north-america-data-center-trends-h2-2024'),
  cbreGlobal2025: c('cbre-global-2025', 'https://dataxconnect.com/insights-cbre-data-centre-trends-2025'),
  aidcguide: c('aidcguide-econ', 'https://aidatacenterguide.com/part-1-strategy-workload-archetypes-and-economics/1-8-business-models-economics-and-roi'),
  deluair: c('deluair-tco', 'https://deluair.com/consultancy/frameworks/compute-cost-curve'),
} as const;

/** 1 MiB in GB (1e9 B). */
export const MIB_GB = 1048576 / 1e9;
/** 1 GiB in GB (1e9 B). */
export const GIB_GB = 1073741824 / 1e9;

/** MiB (as printed by nvidia-smi) -> GB, rounded to 0.01 GB. */
export function mibToGB(mib: number): number {
  return Math.round(mib * MIB_GB * 100) / 100;
}

/** Median of a list of numbers (used for idle-power samples). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
