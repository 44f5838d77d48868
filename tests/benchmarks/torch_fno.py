#!/usr/bin/env python3
"""PyTorch side of the FNO training-step benchmark (compare_torch_fno.sh runs it next to bench_fno).

The step of the FNO paper's fourier_2d.py (Li et al. 2021): out = model(x); out =
y_normalizer.decode(out); loss = LpLoss (relative L2 per sample, summed over the batch); backward;
Adam (lr 1e-3, weight decay 1e-4) step; after zero_grad. Two models of the same network:

  paper   FNO2d as the paper's code: fc0 Linear(1 + 2 grid channels, width), four Fourier layers
          (SpectralConv2d: rfft2, the kept corners [:m1, :m2] and [-m1:, :m2] mixed by einsum
          "bixy,ioxy->boxy" with complex weights, irfft2 to the grid) plus a 1x1 Conv2d, GELU
          between layers, fc1 Linear(width, 128), GELU, fc2 Linear(128, 1); padding 0 here
  neuralop neuraloperator's FNO with the same settings: n_modes (2 m, 2 m - 2) (it keeps n_modes[0]
          modes around 0 in the first dimension and n_modes[-1] // 2 + 1 in the last: 2 m x m
          modes as the paper), hidden 32, 4 layers, a linear lifting (lifting_channel_ratio 0),
          projection 128 (ratio 4), grid embedding, linear skip, no channel MLP, no norm, no
          domain padding. Its SpectralConv makes complex64 (cfloat) weights and output buffer
          whatever the default dtype, so it runs in float32 only; float64 is reported unsupported

width 32, 12 modes, 64^2, batch 10 by default, one thread (--device cuda: on the GPU); float64
(complex128 weights) and float32 (complex64). Prints, per model and precision,

  torch_fno model=<paper|neuralop> dtype=<float64|float32> device=<cpu|cuda> seconds_per_step=<s>
      seconds_per_sample=<s> parameters=<n>

(the median over --repeats steps after --warmup), and the kernels torch uses (torch.__config__).
"""
import argparse
import os
import time

# One thread everywhere, the BLAS library under torch included: it reads this when it is loaded.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class SpectralConv2d(torch.nn.Module):
    """The paper's Fourier layer: rfft2, two corners of kept modes mixed per mode, irfft2."""

    def __init__(self, channels, modes1, modes2, complex_dtype):
        super().__init__()
        self.modes1, self.modes2 = modes1, modes2
        scale = 1.0 / (channels * channels)
        shape = (channels, channels, modes1, modes2)
        self.weights1 = torch.nn.Parameter(scale * torch.rand(*shape, dtype=complex_dtype))
        self.weights2 = torch.nn.Parameter(scale * torch.rand(*shape, dtype=complex_dtype))

    def forward(self, x):
        batch, channels, n1, n2 = x.shape
        x_ft = torch.fft.rfft2(x)
        out_ft = torch.zeros(batch, channels, n1, n2 // 2 + 1, dtype=x_ft.dtype, device=x.device)
        m1, m2 = self.modes1, self.modes2
        out_ft[:, :, :m1, :m2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, :m1, :m2], self.weights1)
        out_ft[:, :, -m1:, :m2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, -m1:, :m2],
                                               self.weights2)
        return torch.fft.irfft2(out_ft, s=(n1, n2))


class PaperFno2d(torch.nn.Module):
    """FNO2d of fourier_2d.py with padding 0: input (batch, n1, n2, 1), output (batch, n1, n2, 1)."""

    def __init__(self, modes, width, layers, complex_dtype):
        super().__init__()
        self.fc0 = torch.nn.Linear(3, width)  # a(x, y), x, y
        self.convs = torch.nn.ModuleList(
            [SpectralConv2d(width, modes, modes, complex_dtype) for _ in range(layers)])
        self.ws = torch.nn.ModuleList([torch.nn.Conv2d(width, width, 1) for _ in range(layers)])
        self.fc1 = torch.nn.Linear(width, 128)
        self.fc2 = torch.nn.Linear(128, 1)

    @staticmethod
    def grid(shape, dtype, device):
        batch, n1, n2 = shape[0], shape[1], shape[2]
        gx = torch.linspace(0, 1, n1, dtype=dtype, device=device)
        gy = torch.linspace(0, 1, n2, dtype=dtype, device=device)
        gx = gx.reshape(1, n1, 1, 1).repeat(batch, 1, n2, 1)
        gy = gy.reshape(1, 1, n2, 1).repeat(batch, n1, 1, 1)
        return torch.cat((gx, gy), dim=-1)

    def forward(self, x):
        x = torch.cat((x, self.grid(x.shape, x.dtype, x.device)), dim=-1)
        x = self.fc0(x).permute(0, 3, 1, 2)
        last = len(self.convs) - 1
        for k, (conv, w) in enumerate(zip(self.convs, self.ws)):
            x = conv(x) + w(x)
            if k < last:
                x = F.gelu(x)
        x = x.permute(0, 2, 3, 1)
        return self.fc2(F.gelu(self.fc1(x)))


def relative_l2_sum(out, y):
    """LpLoss(size_average=False) of the FNO code: sum over samples of ||out - y|| / ||y||."""
    batch = out.shape[0]
    diff = torch.linalg.vector_norm((out - y).reshape(batch, -1), dim=1)
    norm = torch.linalg.vector_norm(y.reshape(batch, -1), dim=1)
    return (diff / norm).sum()


def time_model(name, model, x, y, mean, std, warmup, repeats):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)

    def step():
        optimizer.zero_grad()
        out = model(x).reshape(y.shape) * std + mean  # y_normalizer.decode(out)
        loss = relative_l2_sum(out, y)
        loss.backward()
        optimizer.step()
        return loss.item()  # waits for the device's work too

    for _ in range(warmup):
        step()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    seconds.sort()
    n = len(seconds)
    median = seconds[n // 2] if n % 2 else 0.5 * (seconds[n // 2 - 1] + seconds[n // 2])
    parameters = sum(p.numel() * (2 if p.is_complex() else 1) for p in model.parameters())
    return median, min(seconds), max(seconds), parameters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=64)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--modes", type=int, default=12)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5, help="timed steps (5)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first (2)")
    parser.add_argument("--models", default="paper,neuralop")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--device", default="cpu", help="cpu (one thread) or cuda (cuda:0)")
    args = parser.parse_args()

    torch.set_num_threads(1)
    device = torch.device(args.device)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    if device.type == "cuda":
        print(f"torch_config: - device {torch.cuda.get_device_name(device)}, CUDA "
              f"{torch.version.cuda}, cuBLAS and cuFFT")
    for line in torch.__config__.show().splitlines():
        line = line.strip()
        if line.startswith("- Build settings:"):  # only its kernel-choosing keys
            keys = ("BLAS_INFO", "LAPACK_INFO", "USE_MKL", "USE_MKLDNN", "USE_FBGEMM", "USE_OPENMP")
            kept = [kv.strip() for kv in line.split(":", 1)[1].split(",")
                    if kv.strip().split("=")[0] in keys]
            print("torch_config: - Build settings:", ", ".join(kept))
        elif any(key in line for key in ("BLAS", "MKL", "LAPACK", "FFT", "oneDNN",
                                          "CPU capability", "OpenMP")):
            print("torch_config:", line)
    fft = "MKL (torch.backends.mkl)" if torch.backends.mkl.is_available() else "pocketfft"
    print(f"torch_config: - CPU FFT (rfft2/irfft2): {fft}")
    neuralop = None
    if "neuralop" in args.models:
        try:
            import neuralop  # noqa: F401
            from neuralop.models import FNO
            print(f"neuraloperator {getattr(neuralop, '__version__', '?')}")
        except ImportError as error:  # reported, the paper model still runs
            print(f"neuraloperator not importable: {error}")
            FNO = None
    for dtype_name in args.dtypes.split(","):
        dtype = {"float64": torch.float64, "float32": torch.float32}[dtype_name]
        complex_dtype = torch.complex128 if dtype == torch.float64 else torch.complex64
        torch.set_default_dtype(dtype)
        torch.manual_seed(1234)
        n, b = args.grid, args.batch
        x = (torch.rand(b, n, n, 1) * 2 - 1).to(device)
        y = (torch.rand(b, n, n, 1) * 2 - 1).to(device)
        mean, std = torch.zeros(n, n, 1, device=device), torch.ones(n, n, 1, device=device)
        for name in args.models.split(","):
            if name == "paper":
                model = PaperFno2d(args.modes, args.width, 4, complex_dtype)
                inputs = x
            elif name == "neuralop":
                if FNO is None:
                    continue
                model = FNO(n_modes=(2 * args.modes, 2 * args.modes - 2), in_channels=1,
                            out_channels=1, hidden_channels=args.width, n_layers=4,
                            lifting_channel_ratio=0, projection_channel_ratio=128 / args.width,
                            positional_embedding="grid", use_channel_mlp=False, fno_skip="linear",
                            norm=None, domain_padding=None)
                inputs = x.permute(0, 3, 1, 2).contiguous()
            else:
                parser.error(f"unknown model {name}")
            try:
                median, low, high, parameters = time_model(name, model.to(device), inputs, y,
                                                           mean, std, args.warmup, args.repeats)
            except RuntimeError as error:  # neuraloperator's spectral weights are complex64 only
                print(f"torch_fno model={name} dtype={dtype_name} unsupported: "
                      f"{str(error).splitlines()[0]}", flush=True)
                continue
            print(f"torch_fno model={name} dtype={dtype_name} device={device.type} batch={b} "
                  f"grid={n}x{n} steps={args.repeats} seconds_per_step={median:.6g} "
                  f"seconds_per_sample={median / b:.6g} min_step={low:.6g} max_step={high:.6g} "
                  f"parameters={parameters}", flush=True)


if __name__ == "__main__":
    main()
