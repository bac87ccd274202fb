#!/usr/bin/env python3
"""PyTorch peer of `soft-sampling bench --peers torch` (CPU).

Reads a JSON spec on stdin: {"jobs": [{"op", "size", "inputs": {name: {"file", "dtype", "shape"}}}],
"threads": [1, 2], "time": seconds, "iterations": minimum samples}; the inputs are the raw
little-endian float32 / int32 arrays soft-sampling's cases built (the same numbers). Times each op
at each thread count (torch.set_num_threads) and prints {"rows": [{"op", "size", "threads",
"meanMs", "rme", "samples"}]} on stdout.

Ops (the reference formulations the soft-sampling kernels match):
  iou     pairwise IoU [N,M] of xyxy boxes (mmdet bbox_overlaps, eps 1e-6)
  focal   sigmoid focal loss alpha 0.25, gamma 2, forward + backward (torchvision sigmoid_focal_loss)
  ce      binary cross-entropy with logits, forward + backward
  ghmc    GHM-C, 30 bins, momentum 0.75, forward + backward (mmdet GHMC)
  assign  MaxIoU assignment, pos 0.5 / neg 0.4 (mmdet MaxIoUAssigner, no low-quality matches)
"""
import json
import math
import sys
import time

import torch


def load(spec):
    dtype = {"float32": torch.float32, "int32": torch.int32}[spec["dtype"]]
    with open(spec["file"], "rb") as f:
        data = bytearray(f.read())
    return torch.frombuffer(data, dtype=dtype).reshape(spec["shape"])


def iou(b1, b2, eps=1e-6):
    area1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    area2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    lt = torch.max(b1[:, None, :2], b2[None, :, :2])
    rb = torch.min(b1[:, None, 2:], b2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    union = (area1[:, None] + area2[None, :] - inter).clamp(min=eps)
    return inter / union


def onehot(labels, c):
    t = torch.zeros(labels.shape[0], c + 1)
    t[torch.arange(labels.shape[0]), labels.long()] = 1
    return t[:, :c]


def make(job):
    x = {k: load(v) for k, v in job["inputs"].items()}
    op = job["op"]
    if op == "iou":
        b1, b2 = x["boxes1"], x["boxes2"]
        return lambda: iou(b1, b2)
    if op == "assign":
        anchors, gts = x["anchors"], x["gts"]

        def assign():
            ov = iou(gts, anchors)  # [G, P]
            max_ov, argmax = ov.max(dim=0)
            gt_inds = torch.full((anchors.shape[0],), -1, dtype=torch.long)
            gt_inds[(max_ov >= 0) & (max_ov < 0.4)] = 0
            pos = max_ov >= 0.5
            gt_inds[pos] = argmax[pos] + 1
            return gt_inds

        return assign
    if op in ("focal", "ce", "ghmc"):
        logits, labels, lw = x["logits"], x["labels"], x["labelWeights"]
        n, c = logits.shape
        t = onehot(labels, c)
        w = lw[:, None].expand(n, c)
        avg = max(1.0, float((labels < c).sum()))
        if op == "focal":
            def f():
                z = logits.detach().requires_grad_(True)
                p = torch.sigmoid(z)
                ce = torch.nn.functional.binary_cross_entropy_with_logits(z, t, reduction="none")
                pt = p * t + (1 - p) * (1 - t)
                loss = ce * (1 - pt) ** 2 * (0.25 * t + 0.75 * (1 - t))
                (loss * w).sum().div(avg).backward()
                return z.grad
            return f
        if op == "ce":
            def f():
                z = logits.detach().requires_grad_(True)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(z, t, weight=w, reduction="sum") / avg
                loss.backward()
                return z.grad
            return f
        bins, momentum = 30, 0.75
        edges = torch.arange(bins + 1).float() / bins
        edges[-1] += 1e-6
        acc_sum = torch.full((bins,), 1000.0)

        def ghmc():
            z = logits.detach().requires_grad_(True)
            weights = torch.zeros_like(z)
            g = torch.abs(z.sigmoid().detach() - t)
            valid = w > 0
            tot = max(float(valid.float().sum()), 1.0)
            nb = 0
            for i in range(bins):
                inds = (g >= edges[i]) & (g < edges[i + 1]) & valid
                num = int(inds.sum())
                if num > 0:
                    acc_sum[i] = momentum * acc_sum[i] + (1 - momentum) * num
                    weights[inds] = tot / acc_sum[i]
                    nb += 1
            if nb > 0:
                weights = weights / nb
            loss = torch.nn.functional.binary_cross_entropy_with_logits(z, t, weight=weights, reduction="sum") / tot
            loss.backward()
            return z.grad

        return ghmc
    raise ValueError(f"unknown op {op}")


def timeit(fn, min_time, min_iter):
    fn()  # warm-up
    samples = []
    start = time.perf_counter()
    while len(samples) < min_iter or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    mean = sum(samples) / len(samples)
    if len(samples) > 1:
        sd = math.sqrt(sum((s - mean) ** 2 for s in samples) / (len(samples) - 1))
        rme = 100 * 1.96 * sd / math.sqrt(len(samples)) / mean
    else:
        rme = 0.0
    return mean, rme, len(samples)


def main():
    spec = json.load(sys.stdin)
    rows = []
    torch.set_grad_enabled(True)
    for job in spec["jobs"]:
        fn = make(job)
        for threads in spec["threads"]:
            torch.set_num_threads(int(threads))
            mean, rme, n = timeit(fn, float(spec["time"]), int(spec["iterations"]))
            rows.append({"op": job["op"], "size": job["size"], "threads": int(threads), "meanMs": mean, "rme": rme, "samples": n})
    json.dump({"rows": rows, "torch": torch.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
