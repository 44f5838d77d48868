#!/usr/bin/env python3
"""The peer: neuraloperator's FNO and TFNO trained on a Tessera sample file as run: operator trains.

compare_neuraloperator.sh runs this next to Tessera's `tessera input/darcy_fno.yaml`. What is the
same as Tessera (src/run/operator_run.hpp, src/nn/operator_training.hpp) and the FNO paper's
fourier_2d.py:

  data        the HDF5 sample file of run: dataset: /samples float64 [sample][field][y][x], the
              field names in its attribute "fields"; every --stride-th point of each dimension
              (421^2 with stride 5 is 85^2: indices 0, 5, ..., 420); split as -operator_split_seed
              0: the file's order, the first --train samples train, the next --validation skipped,
              the next --test test
  normaliser  UnitGaussianNormalizer: pointwise mean and unbiased std over the training samples,
              eps 1e-5; the input encoded, the network's output decoded before the loss
  loss        relative L2 per sample over the grid, summed over the batch (LpLoss
              size_average=False); train error = epoch sum / training samples
  optimiser   Adam lr 1e-3, weight decay 1e-4 (torch.optim.Adam: L2 added to the gradient, as
              Tessera's), StepLR every --lr-step epochs by --lr-factor, batch 20, a fresh shuffle
              every epoch (torch.randperm; Tessera shuffles within 20 lanes: see
              operator_training.hpp)
  network     width 32, 12 x 12 modes (the paper's two corners: n_modes (24, 22), neuraloperator
              keeping n_modes[0] modes around 0 in the first dimension and n_modes[-1] // 2 + 1 in
              the last), a linear lifting 3 -> 32 (lifting_channel_ratio 0), 4 Fourier layers with
              a linear 1x1 skip, projection 32 -> 128 -> 1 with GELU, grid coordinates
              linspace(0, 1, n) appended to the input as channels 1, 2 (the paper's get_grid), 9
              zero points padded at the end of each dimension after the lifting (pad_at_end):
              2,368,001 parameters, the paper's count

What differs, as neuraloperator 2.0.0's FNO allows it:
  - its FNO block applies the non-linearity twice between Fourier layers: after the skip sum and
    again where the channel MLP would be, also with use_channel_mlp False (gelu(gelu(h)))
  - the grid channels are made here (positional_embedding None, in_channels 3): neuraloperator's
    GridEmbedding2D uses linspace(0, 1, n + 1)[:-1], not the paper's endpoint-inclusive grid
  - its SpectralConv: fft_norm "forward" (the paper: "backward"), its own weight initialisation
    (the paper: U(0, 1) / width^2), and a bias of its own (the paper's bias sits in the 1x1 skip;
    neuraloperator's linear skip has none): the same count
  - its DomainPadding pads round(f n) points on both sides; pad_at_end fills its per-grid caches
    with 9 points at the end instead, at the training grid and every zero-shot grid (Tessera pads
    the same 9 points on a finer grid)
  - float32 by default (torch's); --dtype float64 makes its complex spectral weights complex128
    and its SpectralConv's spectrum buffer too (it is torch.cfloat whatever the default dtype,
    which would take the Fourier layers back to single precision): use_float64, make_float64
  - TFNO: neuraloperator's Tucker factorisation of each layer's spectral weight, rank a fraction
    (--rank) of the dense parameters as tensorly's rule; contracted without reconstructing
    (implementation "factorized"). Tessera's TFNO follows the same tensorly rule: at rank 0.42
    both have ranks 26x26x19x10 and 1,054,145 parameters

Prints the versions and the threads / BLAS torch uses, per model one line

  peer model=<fno|tfno> dtype=<..> grid=85x85 epochs=E parameters=P seconds_per_epoch=S
      train_rel_l2_last=.. test_rel_l2_mean=.. test_rel_l2_median=.. test_rel_l2_max=..

(seconds_per_epoch: the mean over the epochs trained, those before a --checkpoint restart
included), and with --zero-shot 3,2 the trained network's error on the same test samples read with those
strides (zero-shot super-resolution; the normaliser fitted at the training grid interpolated
bilinearly onto the finer grid, node-aligned, as Tessera's evaluation does):

  peer_zero_shot model=<..> grid=141x141 trained_grid=85x85 test_rel_l2_mean=.. median=.. max=..
"""
import argparse
import os
import statistics
import sys
import time

# One thread everywhere, the BLAS library under torch included: it reads this when it is loaded.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
import h5py  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

EPS = 1e-5


def read_fields(path, dataset, input_name, output_name, first, count, stride, block=25):
    """Samples first .. first + count - 1 of the file, input and output fields, every stride-th
    point: two float64 arrays [count][ny][nx]. Reads whole samples (one chunk per field) in
    blocks and subsamples in memory."""
    with h5py.File(path, "r") as f:
        ds = f[dataset]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in ds.attrs["fields"]]
        if input_name not in names or output_name not in names:
            sys.exit(f"{path}: /{dataset} holds fields {names}, not {input_name} and "
                     f"{output_name}")
        if ds.ndim != 4:
            sys.exit(f"{path}: /{dataset} is {ds.ndim - 2}D, this script is for 2D")
        if first + count > ds.shape[0]:
            sys.exit(f"{path}: /{dataset} holds {ds.shape[0]} samples, not {first + count}")
        for n in ds.shape[2:]:
            if (n - 1) % stride:
                sys.exit(f"stride {stride} does not divide {n} - 1 (the grid's end points)")
        fi, fo = names.index(input_name), names.index(output_name)
        ny, nx = (ds.shape[2] - 1) // stride + 1, (ds.shape[3] - 1) // stride + 1
        x = np.empty((count, ny, nx))
        y = np.empty((count, ny, nx))
        for s in range(first, first + count, block):
            e = min(s + block, first + count)
            chunk = ds[s:e]
            x[s - first:e - first] = chunk[:, fi, ::stride, ::stride]
            y[s - first:e - first] = chunk[:, fo, ::stride, ::stride]
        return x, y


class Normalizer:
    """The FNO code's UnitGaussianNormalizer: pointwise over the training samples."""

    def __init__(self, samples):
        self.mean = samples.mean(0)
        self.std = samples.std(0)  # unbiased, as torch.std

    def encode(self, x):
        return (x - self.mean) / (self.std + EPS)

    def decode(self, x):
        return x * (self.std + EPS) + self.mean

    def on_grid(self, shape):
        """The normaliser at another grid spanning the same [0, 1]^2: bilinear, node-aligned
        (Tessera's on_block: point i of n sits at i (m - 1) / (n - 1) of the trained grid's m)."""
        if tuple(self.mean.shape) == tuple(shape):
            return self
        out = Normalizer.__new__(Normalizer)

        def resample(field):
            return F.interpolate(field[None, None], size=tuple(shape), mode="bilinear",
                                 align_corners=True)[0, 0]
        out.mean, out.std = resample(self.mean), resample(self.std)
        return out


def relative_l2(out, y):
    """Per-sample ||out - y|| / ||y|| over the grid."""
    b = out.shape[0]
    return (torch.linalg.vector_norm((out - y).reshape(b, -1), dim=1)
            / torch.linalg.vector_norm(y.reshape(b, -1), dim=1))


def with_grid(x):
    """[b][n1][n2] -> [b][3][n1][n2]: the field, then linspace(0, 1, n1) and linspace(0, 1, n2)
    (the paper's get_grid: gridx varies along the first grid dimension)."""
    b, n1, n2 = x.shape
    g1 = torch.linspace(0, 1, n1, dtype=x.dtype).reshape(1, n1, 1).expand(b, n1, n2)
    g2 = torch.linspace(0, 1, n2, dtype=x.dtype).reshape(1, 1, n2).expand(b, n1, n2)
    return torch.stack((x, g1, g2), dim=1)


def make_model(kind, args):
    from neuralop.models import FNO
    options = dict(n_modes=(2 * args.modes, 2 * args.modes - 2), in_channels=3, out_channels=1,
                   hidden_channels=args.width, n_layers=args.layers, lifting_channel_ratio=0,
                   projection_channel_ratio=args.projection / args.width,
                   positional_embedding=None, use_channel_mlp=False, fno_skip="linear",
                   norm=None, domain_padding=0.1 if args.padding else None)
    if kind == "tfno":
        options.update(factorization="tucker", rank=args.rank, implementation="factorized")
    return FNO(**options)


def pad_at_end(model, shape, points):
    """Make the model pad `points` zero points at the END of every dimension at grid `shape`, as
    the paper's F.pad(x, [0, p, 0, p]) and Tessera: neuraloperator's DomainPadding pads a fraction
    of the resolution on BOTH sides (round(f n) each); it looks its padding and unpadding up in
    per-resolution caches first, which are filled here. (On the periodic FFT domain (a, b) points
    at the start and end equal a + b at the end up to a shift; an odd total such as 9 needs this.)
    """
    padding = getattr(model, "domain_padding", None)
    if padding is None or points == 0:
        return
    padding._padding[f"{torch.Size(shape)}"] = [0, points] * len(shape)  # F.pad: last dim first
    padded = [int(s) + points for s in shape]
    padding._unpad_indices[f"{padded}"] = (Ellipsis,) + tuple(slice(None, -points) for _ in shape)


class _Complex128Torch:
    """torch as neuraloperator's SpectralConv sees it in float64: cfloat is complex128 (it makes
    its output spectrum torch.cfloat whatever the input, which would take the Fourier layers back
    to single precision)."""
    cfloat = torch.complex128

    def __getattr__(self, name):
        return getattr(torch, name)


def use_float64():
    import neuralop.layers.spectral_convolution as spectral
    spectral.torch = _Complex128Torch()


def make_float64(model):
    """Every real parameter float64, every complex one complex128 (Module.to(float64) would drop
    the imaginary parts)."""
    for module in model.modules():
        for name, p in list(module.named_parameters(recurse=False)):
            dtype = torch.complex128 if p.is_complex() else torch.float64
            module._parameters[name] = torch.nn.Parameter(p.detach().to(dtype))
    return model


def parameter_count(model):
    """Real parameters, complex counted twice (the FNO code's count_params)."""
    return sum(p.numel() * (2 if p.is_complex() else 1) for p in model.parameters())


def evaluate(model, x, y, y_norm, batch):
    """Per-sample decoded relative L2 errors of the encoded inputs x against y."""
    errors = []
    model.eval()
    with torch.no_grad():
        for s in range(0, x.shape[0], batch):
            out = model(x[s:s + batch])[:, 0]
            errors.append(relative_l2(y_norm.decode(out), y[s:s + batch]))
    model.train()
    return torch.cat(errors).tolist()


def summary(errors):
    return (sum(errors) / len(errors), statistics.median(errors), max(errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a Tessera sample file (run: dataset)")
    parser.add_argument("--dataset", default="samples")
    parser.add_argument("--input", default="permeability")
    parser.add_argument("--output", default="pressure")
    parser.add_argument("--stride", type=int, default=5, help="every stride-th point (5)")
    parser.add_argument("--train", type=int, default=1000)
    parser.add_argument("--validation", type=int, default=0, help="skipped between train, test")
    parser.add_argument("--test", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--lr-step", type=int, default=4, help="StepLR step in epochs (4)")
    parser.add_argument("--lr-factor", type=float, default=0.5)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--modes", type=int, default=12)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--projection", type=int, default=128)
    parser.add_argument("--padding", type=int, default=9)
    parser.add_argument("--models", default="fno,tfno")
    parser.add_argument("--rank", type=float, default=0.42, help="TFNO rank fraction (0.42)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--zero-shot", default="",
                        help="strides to evaluate the trained networks at, e.g. 3,2")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", default="",
                        help="folder: peer_<model>_<dtype>.pt after every epoch; a run finding "
                             "one continues from it (all epochs done: evaluates only)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    import neuralop
    import tensorly
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), CPU capability "
          f"{torch.backends.cpu.get_cpu_capability()}; neuraloperator "
          f"{getattr(neuralop, '__version__', '?')}, tensorly {tensorly.__version__}, "
          f"h5py {h5py.__version__}, numpy {np.__version__}")
    for line in torch.__config__.show().splitlines():
        line = line.strip()
        if line.startswith("- Build settings:"):
            keys = ("BLAS_INFO", "LAPACK_INFO", "USE_MKL", "USE_MKLDNN", "USE_OPENMP")
            kept = [kv.strip() for kv in line.split(":", 1)[1].split(",")
                    if kv.strip().split("=")[0] in keys]
            print("torch_config: - Build settings:", ", ".join(kept))
        elif any(k in line for k in ("BLAS", "MKL", "LAPACK", "OpenMP", "CPU capability")):
            print("torch_config:", line)
    fft = "MKL" if torch.backends.mkl.is_available() else "pocketfft"
    print(f"torch_config: - CPU FFT: {fft}; torch.get_num_interop_threads() "
          f"{torch.get_num_interop_threads()}")

    dtype = {"float32": torch.float32, "float64": torch.float64}[args.dtype]
    torch.set_default_dtype(dtype)
    if dtype == torch.float64:
        use_float64()
    start = time.perf_counter()
    test_first = args.train + args.validation
    x_train, y_train = read_fields(args.file, args.dataset, args.input, args.output, 0,
                                   args.train, args.stride)
    x_test, y_test = read_fields(args.file, args.dataset, args.input, args.output, test_first,
                                 args.test, args.stride)
    n = x_train.shape[1]
    print(f"data {args.file}: {args.input} -> {args.output}, every {args.stride} point(s): "
          f"{x_train.shape[1]}x{x_train.shape[2]}; train samples 0..{args.train - 1}, test "
          f"{test_first}..{test_first + args.test - 1} (file order); read in "
          f"{time.perf_counter() - start:.1f} s", flush=True)
    # Normalisers fitted in float64 on the training split, then cast (the FNO code fits in the
    # data's float32; Tessera in double).
    to = dict(dtype=dtype)
    x_norm = Normalizer(torch.from_numpy(x_train))
    y_norm = Normalizer(torch.from_numpy(y_train))
    x_tr = with_grid(x_norm.encode(torch.from_numpy(x_train)).to(**to))
    y_tr = torch.from_numpy(y_train).to(**to)
    x_te = with_grid(x_norm.encode(torch.from_numpy(x_test)).to(**to))
    y_te = torch.from_numpy(y_test).to(**to)
    y_norm_t = Normalizer.__new__(Normalizer)
    y_norm_t.mean, y_norm_t.std = y_norm.mean.to(**to), y_norm.std.to(**to)

    strides = [int(s) for s in args.zero_shot.split(",") if s.strip()]
    zero_shot_data = {}
    for stride in strides:
        xs, ys = read_fields(args.file, args.dataset, args.input, args.output, test_first,
                             args.test, stride)
        xn = x_norm.on_grid(xs.shape[1:])
        yn = y_norm.on_grid(xs.shape[1:])
        yn_t = Normalizer.__new__(Normalizer)
        yn_t.mean, yn_t.std = yn.mean.to(**to), yn.std.to(**to)
        zero_shot_data[stride] = (with_grid(xn.encode(torch.from_numpy(xs)).to(**to)),
                                  torch.from_numpy(ys).to(**to), yn_t)

    for kind in args.models.split(","):
        torch.manual_seed(args.seed)
        model = make_model(kind, args)
        if dtype == torch.float64:
            make_float64(model)
        pad_at_end(model, x_tr.shape[2:], args.padding)
        for xs, _, _ in zero_shot_data.values():
            pad_at_end(model, xs.shape[2:], args.padding)
        parameters = parameter_count(model)
        print(f"model {kind}: {parameters} parameters ({model.__class__.__name__}, "
              f"factorization {getattr(model, 'factorization', None)}, rank "
              f"{args.rank if kind == 'tfno' else 1.0}), {args.dtype}", flush=True)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr,
                                     weight_decay=args.weight_decay)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.lr_step,
                                                    gamma=args.lr_factor)
        seconds, train_error, first, history = [], 0.0, 0, []
        settings = dict(model=kind, dtype=args.dtype, file=os.path.abspath(args.file),
                        stride=args.stride, train=args.train, batch=args.batch, lr=args.lr,
                        weight_decay=args.weight_decay, lr_step=args.lr_step,
                        lr_factor=args.lr_factor, rank=args.rank, padding=args.padding,
                        seed=args.seed)
        path = (os.path.join(args.checkpoint, f"peer_{kind}_{args.dtype}.pt")
                if args.checkpoint else None)
        if path and os.path.exists(path):
            saved = torch.load(path, weights_only=False)
            if saved["settings"] != settings:
                sys.exit(f"{path} was written with other settings: {saved['settings']}")
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
            torch.set_rng_state(saved["rng"])
            seconds, train_error, first = saved["seconds"], saved["train_error"], saved["epoch"]
            history = saved["history"]
            print(f"  {kind}: resumed from {path} after epoch {first}; its epochs:", flush=True)
            for line in history:
                print(line + " (before the restart)", flush=True)
        for epoch in range(first, args.epochs):
            t0 = time.perf_counter()
            permutation = torch.randperm(args.train)
            loss_sum = 0.0
            for s in range(0, args.train, args.batch):
                index = permutation[s:s + args.batch]
                optimizer.zero_grad()
                out = y_norm_t.decode(model(x_tr[index])[:, 0])
                loss = relative_l2(out, y_tr[index]).sum()
                loss.backward()
                optimizer.step()
                loss_sum += loss.item()
            lr = scheduler.get_last_lr()[0]
            scheduler.step()
            seconds.append(time.perf_counter() - t0)
            train_error = loss_sum / args.train
            test_mean = summary(evaluate(model, x_te, y_te, y_norm_t, args.batch))[0]
            history.append(f"  {kind} epoch {epoch + 1:3d}/{args.epochs}: train rel L2 "
                           f"{train_error:.6e}, test rel L2 {test_mean:.6e}, lr {lr:.2e}, "
                           f"{seconds[-1]:.2f} s")
            print(history[-1], flush=True)
            if path:  # tmp + rename, as Tessera's checkpoints
                torch.save(dict(settings=settings, model=model.state_dict(),
                                optimizer=optimizer.state_dict(),
                                scheduler=scheduler.state_dict(), rng=torch.get_rng_state(),
                                seconds=seconds, train_error=train_error, epoch=epoch + 1,
                                history=history),
                           path + ".tmp")
                os.replace(path + ".tmp", path)
        errors = evaluate(model, x_te, y_te, y_norm_t, args.batch)
        mean, median, worst = summary(errors)
        print(f"peer model={kind} dtype={args.dtype} grid={n}x{x_train.shape[2]} "
              f"epochs={args.epochs} parameters={parameters} "
              f"seconds_per_epoch={sum(seconds) / max(len(seconds), 1):.3f} "
              f"train_rel_l2_last={train_error:.6e} test_rel_l2_mean={mean:.6e} "
              f"test_rel_l2_median={median:.6e} test_rel_l2_max={worst:.6e}", flush=True)
        for stride, (xs, ys, yn) in zero_shot_data.items():
            m = xs.shape[2]
            mean, median, worst = summary(evaluate(model, xs, ys, yn, args.batch))
            print(f"peer_zero_shot model={kind} dtype={args.dtype} grid={m}x{xs.shape[3]} "
                  f"trained_grid={n}x{x_train.shape[2]} test_rel_l2_mean={mean:.6e} "
                  f"test_rel_l2_median={median:.6e} test_rel_l2_max={worst:.6e}", flush=True)


if __name__ == "__main__":
    main()
