#!/usr/bin/env python3
"""PyTorch side of the PINN training benchmark (compare_torch.sh runs it next to Tessera's).

The same problem as Tessera's bench_pinn_training: -(u_xx + u_yy) = f on (0,1)^2 with
f = 2 pi^2 sin(pi x) sin(pi y) and u = 0 on the boundary; an MLP 2 -> 50 x 4 (tanh) -> 1 with
Glorot-normal weights and zero biases; loss = mean over 4096 interior points of the squared residual
(second derivatives by autograd) + mean over 512 boundary points (128 per edge) of u^2; Adam with
lr 1e-3; float64 on one thread. After the warm-up, N iterations of zero_grad/loss/backward/step are
timed. Prints one machine-readable line

  torch_seconds_per_iteration=<float> torch_points_per_second=<float>

(points per second = interior points / seconds per iteration) and one line for people.
"""
import argparse
import math
import os
import time

# One thread everywhere, the BLAS library under torch included: it reads this when it is loaded.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import torch  # noqa: E402

INTERIOR_POINTS = 4096
POINTS_PER_EDGE = 128
WIDTH = 50
HIDDEN_LAYERS = 4


def make_network() -> torch.nn.Sequential:
    layers = []
    fan_in = 2
    for _ in range(HIDDEN_LAYERS):
        layers += [torch.nn.Linear(fan_in, WIDTH), torch.nn.Tanh()]
        fan_in = WIDTH
    layers.append(torch.nn.Linear(fan_in, 1))
    net = torch.nn.Sequential(*layers)
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.xavier_normal_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    return net


def make_points(generator: torch.Generator):
    interior = torch.rand(INTERIOR_POINTS, 2, generator=generator)
    s = torch.rand(4, POINTS_PER_EDGE, generator=generator)
    zeros, ones = torch.zeros(POINTS_PER_EDGE), torch.ones(POINTS_PER_EDGE)
    boundary = torch.cat([
        torch.stack([s[0], zeros], dim=1),  # y = 0
        torch.stack([ones, s[1]], dim=1),   # x = 1
        torch.stack([s[2], ones], dim=1),   # y = 1
        torch.stack([zeros, s[3]], dim=1),  # x = 0
    ])
    return interior.requires_grad_(True), boundary


def loss_fn(net, interior, boundary, forcing):
    u = net(interior)
    (grad_u,) = torch.autograd.grad(u.sum(), interior, create_graph=True)
    (grad_ux,) = torch.autograd.grad(grad_u[:, 0].sum(), interior, create_graph=True)
    (grad_uy,) = torch.autograd.grad(grad_u[:, 1].sum(), interior, create_graph=True)
    laplacian = grad_ux[:, 0] + grad_uy[:, 1]
    residual = -laplacian - forcing
    return (residual**2).mean() + (net(boundary).squeeze(1) ** 2).mean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200, help="timed iterations (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed iterations first (20)")
    parser.add_argument("--seed", type=int, default=1234, help="seed of points and weights")
    args = parser.parse_args()
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be >= 1 and --warmup >= 0")

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    net = make_network()
    interior, boundary = make_points(generator)
    x, y = interior.detach()[:, 0], interior.detach()[:, 1]
    forcing = 2.0 * math.pi**2 * torch.sin(math.pi * x) * torch.sin(math.pi * y)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

    def step() -> float:
        optimizer.zero_grad()
        loss = loss_fn(net, interior, boundary, forcing)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.iterations):
        loss = step()
    seconds = (time.perf_counter() - start) / args.iterations

    print(f"torch_seconds_per_iteration={seconds:.6g} "
          f"torch_points_per_second={INTERIOR_POINTS / seconds:.6g}")
    print(f"torch {torch.__version__}, 1 thread, float64: {args.iterations} iterations after "
          f"{args.warmup} warm-up, {seconds * 1e3:.2f} ms/iteration, final loss {loss:.4e}")


if __name__ == "__main__":
    main()
