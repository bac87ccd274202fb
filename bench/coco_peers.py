#!/usr/bin/env python3
"""Peers of the COCO evaluator benchmark (bench/eval-scale.mjs): pycocotools and faster-coco-eval
on the same files, each timed for loading (COCO(gt) + loadRes) and for evaluate + accumulate +
summarize (wall and process CPU time: faster-coco-eval may use threads). Prints one JSON object: versions, the 12 stats of each (full precision), and seconds.

    python3 bench/coco_peers.py GT.json DETS.json [pycocotools|faster] ...

Not a test dependency: install the peers with `pip install pycocotools faster-coco-eval`.
"""
import contextlib
import io
import json
import sys
import time


def run(name, gt_file, dt_file):
    if name == 'pycocotools':
        import pycocotools
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval as Eval
        from importlib.metadata import version
        ver = version('pycocotools')
    else:
        import faster_coco_eval
        from faster_coco_eval import COCO
        from faster_coco_eval import COCOeval_faster as Eval
        ver = faster_coco_eval.__version__
    with contextlib.redirect_stdout(io.StringIO()):
        t0 = time.perf_counter()
        gt = COCO(gt_file)
        dt = gt.loadRes(dt_file)
        t1 = time.perf_counter()
        c1 = time.process_time()
        ev = Eval(gt, dt, 'bbox')
        ev.evaluate()
        t2 = time.perf_counter()
        ev.accumulate()
        ev.summarize()
        t3 = time.perf_counter()
        c3 = time.process_time()
    return {
        'version': ver,
        'stats': [float(x) for x in ev.stats[:12]],
        'load_s': t1 - t0,
        'evaluate_s': t2 - t1,
        'accumulate_summarize_s': t3 - t2,
        'eval_s': t3 - t1,
        'eval_cpu_s': c3 - c1,
    }


def main():
    gt_file, dt_file = sys.argv[1], sys.argv[2]
    which = sys.argv[3:] or ['pycocotools', 'faster']
    import numpy
    out = {'numpy': numpy.__version__, 'python': sys.version.split()[0]}
    for name in which:
        out[name] = run(name, gt_file, dt_file)
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
