#!/usr/bin/env bash
# The soft-sampling CLI (package soft-sampling-cli) on the data bundled with it: the evaluator alone (`eval`), then the
# full analysis (`analyze`) into a fresh directory. On your own data pass --gt / --dets (COCO files).
set -euo pipefail
PKG="$(dirname "$(node -p "require.resolve('soft-sampling-cli/package.json')")")"  # node_modules/soft-sampling-cli once installed
GT="$PKG/data/cartucho-map-indoor85/coco/groundtruths_coco.json"
DETS="$PKG/data/cartucho-map-indoor85/coco/detections_coco.json"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
OUT="$TMP/report"

# COCO 12-number summary (pycocotools semantics)
npx soft-sampling eval --gt "$GT" --dets "$DETS"

# VOC mAP@0.5; these boxes are inclusive integer pixels, so the VOC +1 convention applies
npx soft-sampling eval --gt "$GT" --dets "$DETS" --voc --legacy-offset --json > "$OUT.voc.json"
node -e 'const r = require(process.argv[1]); console.log("VOC mAP", r.mAP.toFixed(7)); if (Math.abs(r.mAP - 0.3104772) > 1e-6) process.exit(1)' "$OUT.voc.json"

# Everything: evaluation, samples.csv, the Focal Loss / GHM / PISA analyses, report.html
npx soft-sampling analyze --gt "$GT" --dets "$DETS" --legacy-offset --out "$OUT" --workers 0 --no-png
test -s "$OUT/report.html" && test -s "$OUT/summary.json"
ls "$OUT" | head -5

# Bad input: one line naming the file, record and field; exit status 1; nothing written
echo '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, -5, 5], "score": 0.5}]' > "$OUT.bad.json"
if npx soft-sampling eval --gt "$GT" --dets "$OUT.bad.json" 2> "$OUT.err"; then exit 1; fi
cat "$OUT.err"
