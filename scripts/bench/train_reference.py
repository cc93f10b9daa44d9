"""PyTorch reference for `npm run bench:train` (bench/train-compare.ts runs it as a child process).

    /usr/bin/python3 scripts/bench/train_reference.py --data /usr/share/datasets/fashion-mnist \
        [--samples 10000] [--valid 500] [--batch 64] [--repeats 3] [--models cnn,sepconv_bn] [--seed 0]

Trains each model for one epoch over the first `samples` Fashion-MNIST training images (pixels / 255),
batch 64, Adam lr 1e-3, on ONE thread (torch.set_num_threads(1)), and prints one JSON object on stdout:
{"torch": version, "threads": 1, "models": [{"name", "samples_per_s": [per repeat], "median",
"cpu_samples_per_s": [per repeat, over the process's CPU time: steadier on a shared machine]}]}.

The timed scope matches naslab's trainEpochs call: building the model and the optimiser, the epoch (a
fresh seeded permutation, each batch gathered from the in-memory tensor, forward, loss, backward, Adam
step, the loss read back as a number) and accuracy on the first `valid` test images in eval mode. The
data is read from the IDX files (gzipped or not) before the clock starts, as naslab's is.

The networks are the ones in bench/train-models.ts, layer for layer: change both together.
"""

import argparse
import gzip
import json
import math
import pathlib
import statistics
import struct
import time

import torch
from torch import nn
import torch.nn.functional as F


def read_idx(folder: pathlib.Path, stem: str) -> torch.Tensor:
    """An IDX file of unsigned bytes (MNIST layout) as a uint8 tensor of its dims."""
    for name in (f"{stem}.gz", stem):
        path = folder / name
        if path.is_file():
            raw = path.read_bytes()
            data = gzip.decompress(raw) if name.endswith(".gz") else raw
            break
    else:
        raise SystemExit(f"{folder}: no {stem}(.gz); pass --data a folder holding the Fashion-MNIST IDX files")
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{folder / stem}: not an IDX file of unsigned bytes")
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim :]), dtype=torch.uint8).reshape(dims)


def load(folder: pathlib.Path, samples: int, valid: int):
    images = read_idx(folder, "train-images-idx3-ubyte")[:samples]
    labels = read_idx(folder, "train-labels-idx1-ubyte")[:samples]
    test_images = read_idx(folder, "t10k-images-idx3-ubyte")[:valid]
    test_labels = read_idx(folder, "t10k-labels-idx1-ubyte")[:valid]
    as_x = lambda t: (t.float() / 255.0).unsqueeze(1).contiguous()  # noqa: E731
    return as_x(images), labels.long(), as_x(test_images), test_labels.long()


class Cnn(nn.Module):
    """conv3x3x16 (pad 1) - relu - maxpool2 - conv3x3x32 (pad 1) - relu - maxpool2 - dense 10."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return self.fc(torch.flatten(h, 1))


class Sep(nn.Sequential):
    """Depthwise conv3x3 (pad 1, no bias) - pointwise conv1x1 (no bias) - batch norm - relu."""

    def __init__(self, c: int, out: int, stride: int = 1) -> None:
        super().__init__(
            nn.Conv2d(c, c, 3, stride=stride, padding=1, groups=c, bias=False),
            nn.Conv2d(c, out, 1, bias=False),
            nn.BatchNorm2d(out),
            nn.ReLU(),
        )


class SepconvBn(nn.Module):
    """stem conv3x3x16 + BN + relu; sep 16->32; maxpool2; sep 32->32, sep 32->32 plus a skip around the
    pair; sep 32->64 (depthwise stride 2); global average pool; dense 10."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.sep1 = Sep(16, 32)
        self.sep2 = Sep(32, 32)
        self.sep3 = Sep(32, 32)
        self.sep4 = Sep(32, 64, stride=2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = F.max_pool2d(self.sep1(self.stem(x)), 2)
        h = self.sep3(self.sep2(pooled)) + pooled
        h = F.adaptive_avg_pool2d(self.sep4(h), 1)
        return self.fc(torch.flatten(h, 1))


MODELS = {"cnn": Cnn, "sepconv_bn": SepconvBn}


def train_once(model_cls, data, batch: int, seed: int) -> tuple:
    """Samples/s of one timed run (model + optimiser construction, one epoch, validation): by the wall
    clock and by the process's CPU time."""
    x, y, vx, vy = data
    torch.manual_seed(seed)
    start = time.perf_counter()
    start_cpu = time.process_time()
    model = model_cls()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    order = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(seed))
    for s in range(0, x.shape[0], batch):
        idx = order[s : s + batch]
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        if not math.isfinite(loss.item()):
            raise SystemExit("training diverged")
    model.eval()
    with torch.no_grad():
        accuracy = (model(vx).argmax(1) == vy).float().mean().item()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - start_cpu
    if not 0 <= accuracy <= 1:
        raise SystemExit("no validation accuracy")
    return x.shape[0] / seconds, x.shape[0] / cpu_seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="folder with the Fashion-MNIST IDX files (gzipped or not)")
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--valid", type=int, default=500)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--models", default="cnn,sepconv_bn")
    p.add_argument("--seed", type=int, default=0, help="seeds the weights and the batch order of repeat 0")
    args = p.parse_args()
    torch.set_num_threads(1)
    data = load(pathlib.Path(args.data), args.samples, args.valid)
    out = []
    for name in args.models.split(","):
        if name not in MODELS:
            raise SystemExit(f"unknown model '{name}'; known: {', '.join(MODELS)}")
        runs = [train_once(MODELS[name], data, args.batch, args.seed + r) for r in range(args.repeats)]
        wall = [w for w, _ in runs]
        out.append(
            {
                "name": name,
                "samples_per_s": wall,
                "median": statistics.median(wall),
                "cpu_samples_per_s": [c for _, c in runs],
            }
        )
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "models": out}))


if __name__ == "__main__":
    main()
