# A minimal trial program for `evaluator: { type: command }` (docs/command-evaluator.md): it reads the
# architecture naslab hands it, "trains" it (a made-up learning curve), prints one JSON line per epoch
# and the final metrics. Replace the curve with real training.
import json
import os
import time

trial = json.load(open(os.environ["NASLAB_TRIAL_FILE"]))
arch = trial["sample"]  # the decisions, e.g. {"depth": 3, "width": 64, "lr": 0.01}
epochs = int(os.environ.get("NASLAB_STEPS", "5"))

ceiling = 0.6 + 0.05 * arch["depth"] + arch["width"] / 1000 - abs(arch["lr"] - 0.01) * 5
for epoch in range(1, epochs + 1):
    time.sleep(0.1)  # an epoch of training
    acc = ceiling * (1 - 0.5 ** epoch)
    print(f"epoch {epoch}: training...")  # any line that is not a JSON object is log
    # stdout is a pipe, so Python buffers it: flush, or the pruner sees the epoch only at the end.
    print(json.dumps({"step": epoch, "valid_acc": acc}), flush=True)

print(json.dumps({"valid_acc": acc, "params_k": arch["depth"] * arch["width"]}), flush=True)
