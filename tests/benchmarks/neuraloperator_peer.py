#!/usr/bin/env python3
"""The peer: neuraloperator's FNO and TFNO trained on a Tessera sample file as run: operator trains.

compare_neuraloperator.sh runs this next to Tessera's `tessera input/darcy_fno.yaml` (--scheme
direct, the default) or `tessera input/navier_stokes_fno2d.yaml` (--scheme rollout). What is the
same as Tessera (src/run/operator_run.hpp, src/nn/operator_training.hpp) and the FNO paper's
fourier_2d.py / fourier_2d_time.py:

  data        the HDF5 sample file of run: dataset: /samples float64 [sample][field][y][x], the
              field names in its attribute "fields"; --input and --output name fields as
              -operator_input / -operator_output do (a name, or a comma-separated list of names
              and ranges such as omega_t1..omega_t10); every --stride-th point of each dimension
              (421^2 with stride 5 is 85^2: indices 0, 5, ..., 420); split as -operator_split_seed
              0: the file's order, the first --train samples train, the next --validation skipped,
              the next --test test
  direct      (Darcy) one input field to one output field; UnitGaussianNormalizer: pointwise mean
              and unbiased std over the training samples, eps 1e-5; the input encoded, the
              network's output decoded before the loss; the loss the relative L2 per sample over
              the grid, summed over the batch (LpLoss size_average=False); train error = epoch
              sum / training samples
  rollout     (Navier-Stokes, fourier_2d_time.py) the window of input records and the grid in, the
              next record out; the prediction joins the window and its oldest record leaves it,
              one step per output record; no normaliser; the loss the per-step relative L2 summed
              over steps and samples, backpropagated through the whole rollout; train error =
              epoch sum / (training samples x steps); the test error of a sample its relative L2
              over all its output records (Tessera's "test rel L2 mean"), and per record
  optimiser   Adam --lr (1e-3), weight decay 1e-4 (torch.optim.Adam: L2 added to the gradient, as
              Tessera's), StepLR every --lr-step epochs by --lr-factor, --batch (20), a fresh
              shuffle every epoch (torch.randperm; Tessera shuffles within --batch lanes: see
              operator_training.hpp)
  network     width --width (32; the Navier-Stokes deck's 20), 12 x 12 modes (the paper's two
              corners: n_modes (24, 22), neuraloperator keeping n_modes[0] modes around 0 in the
              first dimension and n_modes[-1] // 2 + 1 in the last), a linear lifting from the
              input records + 2 grid channels to the width (lifting_channel_ratio 0), 4 Fourier
              layers with a linear 1x1 skip, projection width -> 128 -> 1 with GELU, grid
              coordinates linspace(0, 1, n) appended to the input records as the last two
              channels (the paper's get_grid), --padding zero points (9; 0 for periodic data)
              padded at the end of each dimension after the lifting (pad_at_end): for Darcy
              2,368,001 parameters, the paper's count

What differs, as neuraloperator 2.0.0's FNO allows it:
  - its FNO block applies the non-linearity twice between Fourier layers: after the skip sum and
    again where the channel MLP would be, also with use_channel_mlp False (gelu(gelu(h)))
  - the grid channels are made here (positional_embedding None): neuraloperator's
    GridEmbedding2D uses linspace(0, 1, n + 1)[:-1], not the paper's endpoint-inclusive grid
  - its SpectralConv: fft_norm "forward" (the paper: "backward"), its own weight initialisation
    (the paper: U(0, 1) / width^2), and a bias of its own (the paper's bias sits in the 1x1 skip;
    neuraloperator's linear skip has none): the same count
  - its DomainPadding pads round(f n) points on both sides; pad_at_end fills its per-grid caches
    with --padding points at the end instead, at the training grid and every zero-shot grid
    (Tessera pads the same points on a finer grid)
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
included; rollout: also test_rel_l2_record_mean, _first_record, _last_record), and with
--zero-shot 3,2 (direct) the trained network's error on the same test samples read with those
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


def field_names(spec):
    """-operator_input's syntax: comma-separated names and ranges prefixN..prefixM."""
    names = []
    for item in spec.split(","):
        item = item.strip()
        if ".." not in item:
            names.append(item)
            continue
        first, last = item.split("..")
        head = first.rstrip("0123456789")
        if not last.startswith(head) or head == first or len(last) == len(head):
            sys.exit(f"'{item}': a range is prefixN..prefixM, the same prefix")
        names += [f"{head}{i}" for i in range(int(first[len(head):]), int(last[len(head):]) + 1)]
    return names


def read_fields(path, dataset, names, first, count, stride, block=25):
    """Samples first .. first + count - 1 of the file, the named fields, every stride-th point:
    a float64 array [count][fields][ny][nx]. Reads whole samples (one chunk per field) in
    blocks and subsamples in memory."""
    with h5py.File(path, "r") as f:
        ds = f[dataset]
        stored = [n.decode() if isinstance(n, bytes) else str(n) for n in ds.attrs["fields"]]
        missing = [n for n in names if n not in stored]
        if missing:
            sys.exit(f"{path}: /{dataset} holds fields {stored}, not {missing}")
        if ds.ndim != 4:
            sys.exit(f"{path}: /{dataset} is {ds.ndim - 2}D, this script is for 2D")
        if first + count > ds.shape[0]:
            sys.exit(f"{path}: /{dataset} holds {ds.shape[0]} samples, not {first + count}")
        for n in ds.shape[2:]:
            if (n - 1) % stride:
                sys.exit(f"stride {stride} does not divide {n} - 1 (the grid's end points)")
        index = [stored.index(n) for n in names]
        ny, nx = (ds.shape[2] - 1) // stride + 1, (ds.shape[3] - 1) // stride + 1
        out = np.empty((count, len(names), ny, nx))
        for s in range(first, first + count, block):
            e = min(s + block, first + count)
            chunk = ds[s:e]
            out[s - first:e - first] = chunk[:, index, ::stride, ::stride]
        return out


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
    """[b][c][n1][n2] -> [b][c + 2][n1][n2]: the fields, then linspace(0, 1, n1) and
    linspace(0, 1, n2) (the paper's get_grid: gridx varies along the first grid dimension)."""
    b, _, n1, n2 = x.shape
    g1 = torch.linspace(0, 1, n1, dtype=x.dtype).reshape(1, 1, n1, 1).expand(b, 1, n1, n2)
    g2 = torch.linspace(0, 1, n2, dtype=x.dtype).reshape(1, 1, 1, n2).expand(b, 1, n1, n2)
    return torch.cat((x, g1, g2), dim=1)


def make_model(kind, args, in_records):
    from neuralop.models import FNO
    options = dict(n_modes=(2 * args.modes, 2 * args.modes - 2), in_channels=in_records + 2,
                   out_channels=1,
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


def predict(model, x, scheme, y_norm, steps):
    """The predictions [b][K][n1][n2] in the data's units: direct, the decoded output of the
    encoded input x (with its grid channels); rollout, K steps from the window x [b][in][n1][n2],
    each prediction joining the window (not detached, as fourier_2d_time.py)."""
    if scheme == "direct":
        return y_norm.decode(model(x)[:, 0])[:, None]
    window, predictions = x, []
    for _ in range(steps):
        out = model(with_grid(window))[:, 0]
        predictions.append(out)
        window = torch.cat((window[:, 1:], out[:, None]), dim=1)
    return torch.stack(predictions, dim=1)


def batch_loss(out, y, scheme):
    """The loss of a batch: the relative L2 of each sample (direct) or of each step of each
    sample (rollout), summed."""
    if scheme == "direct":
        return relative_l2(out[:, 0], y[:, 0]).sum()
    return sum(relative_l2(out[:, t], y[:, t]).sum() for t in range(out.shape[1]))


def evaluate(model, x, y, scheme, y_norm, batch):
    """Per-sample relative L2 errors over all output records, and per sample and record
    ([samples][K])."""
    errors, records = [], []
    model.eval()
    with torch.no_grad():
        for s in range(0, x.shape[0], batch):
            out, ys = predict(model, x[s:s + batch], scheme, y_norm, y.shape[1]), y[s:s + batch]
            errors.append(relative_l2(out, ys))
            records.append(torch.stack([relative_l2(out[:, t], ys[:, t])
                                        for t in range(ys.shape[1])], dim=1))
    model.train()
    return torch.cat(errors).tolist(), torch.cat(records)


def summary(errors):
    return (sum(errors) / len(errors), statistics.median(errors), max(errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a Tessera sample file (run: dataset)")
    parser.add_argument("--dataset", default="samples")
    parser.add_argument("--scheme", choices=("direct", "rollout"), default="direct")
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
    inputs, outputs = field_names(args.input), field_names(args.output)
    rollout = args.scheme == "rollout"
    if not rollout and (len(inputs) != 1 or len(outputs) != 1):
        sys.exit("--scheme direct maps one --input field to one --output field")
    if rollout and args.zero_shot:
        sys.exit("--zero-shot is for --scheme direct")
    x_train = read_fields(args.file, args.dataset, inputs, 0, args.train, args.stride)
    y_train = read_fields(args.file, args.dataset, outputs, 0, args.train, args.stride)
    x_test = read_fields(args.file, args.dataset, inputs, test_first, args.test, args.stride)
    y_test = read_fields(args.file, args.dataset, outputs, test_first, args.test, args.stride)
    n = x_train.shape[2]
    print(f"data {args.file}: {args.input} -> {args.output} ({args.scheme}), every "
          f"{args.stride} point(s): {x_train.shape[2]}x{x_train.shape[3]}; train samples "
          f"0..{args.train - 1}, test {test_first}..{test_first + args.test - 1} (file order); "
          f"read in {time.perf_counter() - start:.1f} s", flush=True)
    to = dict(dtype=dtype)
    y_tr = torch.from_numpy(y_train).to(**to)
    y_te = torch.from_numpy(y_test).to(**to)
    strides = [int(s) for s in args.zero_shot.split(",") if s.strip()]
    zero_shot_data = {}
    if rollout:  # no normaliser: the raw window in, the grid added at every step
        x_tr, x_te = torch.from_numpy(x_train).to(**to), torch.from_numpy(x_test).to(**to)
        y_norm_t = None
    else:
        # Normalisers fitted in float64 on the training split, then cast (the FNO code fits in
        # the data's float32; Tessera in double).
        x_norm = Normalizer(torch.from_numpy(x_train[:, 0]))
        y_norm = Normalizer(torch.from_numpy(y_train[:, 0]))
        x_tr = with_grid(x_norm.encode(torch.from_numpy(x_train[:, 0])).to(**to)[:, None])
        x_te = with_grid(x_norm.encode(torch.from_numpy(x_test[:, 0])).to(**to)[:, None])
        y_norm_t = Normalizer.__new__(Normalizer)
        y_norm_t.mean, y_norm_t.std = y_norm.mean.to(**to), y_norm.std.to(**to)
        for stride in strides:
            xs = read_fields(args.file, args.dataset, inputs, test_first, args.test, stride)[:, 0]
            ys = read_fields(args.file, args.dataset, outputs, test_first, args.test, stride)
            xn = x_norm.on_grid(xs.shape[1:])
            yn = y_norm.on_grid(xs.shape[1:])
            yn_t = Normalizer.__new__(Normalizer)
            yn_t.mean, yn_t.std = yn.mean.to(**to), yn.std.to(**to)
            zero_shot_data[stride] = (with_grid(xn.encode(torch.from_numpy(xs)).to(**to)[:, None]),
                                      torch.from_numpy(ys).to(**to), yn_t)

    for kind in args.models.split(","):
        torch.manual_seed(args.seed)
        model = make_model(kind, args, len(inputs))
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
                        scheme=args.scheme, input=args.input, output=args.output,
                        width=args.width, stride=args.stride, train=args.train, batch=args.batch,
                        lr=args.lr,
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
                out = predict(model, x_tr[index], args.scheme, y_norm_t, y_tr.shape[1])
                loss = batch_loss(out, y_tr[index], args.scheme)
                loss.backward()
                optimizer.step()
                loss_sum += loss.item()
            lr = scheduler.get_last_lr()[0]
            scheduler.step()
            seconds.append(time.perf_counter() - t0)
            train_error = loss_sum / (args.train * (y_tr.shape[1] if rollout else 1))
            test_mean = summary(evaluate(model, x_te, y_te, args.scheme, y_norm_t,
                                         args.batch)[0])[0]
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
        errors, record_errors = evaluate(model, x_te, y_te, args.scheme, y_norm_t, args.batch)
        mean, median, worst = summary(errors)
        per_record = record_errors.mean(0).tolist()
        records = (f" test_rel_l2_record_mean={sum(per_record) / len(per_record):.6e} "
                   f"test_rel_l2_first_record={per_record[0]:.6e} "
                   f"test_rel_l2_last_record={per_record[-1]:.6e}" if rollout else "")
        print(f"peer model={kind} dtype={args.dtype} grid={n}x{x_train.shape[3]} "
              f"epochs={args.epochs} parameters={parameters} "
              f"seconds_per_epoch={sum(seconds) / max(len(seconds), 1):.3f} "
              f"train_rel_l2_last={train_error:.6e} test_rel_l2_mean={mean:.6e} "
              f"test_rel_l2_median={median:.6e} test_rel_l2_max={worst:.6e}{records}", flush=True)
        for stride, (xs, ys, yn) in zero_shot_data.items():
            m = xs.shape[2]
            mean, median, worst = summary(evaluate(model, xs, ys, "direct", yn, args.batch)[0])
            print(f"peer_zero_shot model={kind} dtype={args.dtype} grid={m}x{xs.shape[3]} "
                  f"trained_grid={n}x{x_train.shape[3]} test_rel_l2_mean={mean:.6e} "
                  f"test_rel_l2_median={median:.6e} test_rel_l2_max={worst:.6e}", flush=True)


if __name__ == "__main__":
    main()
