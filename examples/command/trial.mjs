// A minimal trial program for `evaluator: { type: command }` in Node (docs/command-evaluator.md): it
// reads the architecture naslab hands it, "trains" it (a made-up learning curve), prints one JSON line
// per epoch and the final metrics. Replace the curve with real training.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const trial = JSON.parse(readFileSync(process.env.NASLAB_TRIAL_FILE, 'utf8'));
const arch = trial.sample; // the decisions, e.g. { depth: 3, width: 64, lr: 0.01 }
const epochs = Number(process.env.NASLAB_STEPS ?? 5);

const ceiling = 0.6 + 0.05 * arch.depth + arch.width / 1000 - Math.abs(arch.lr - 0.01) * 5;
let acc = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  await sleep(100); // an epoch of training
  acc = ceiling * (1 - 0.5 ** epoch);
  console.log(`epoch ${epoch}: training...`); // any line that is not a JSON object is log
  console.log(JSON.stringify({ step: epoch, valid_acc: acc }));
}
console.log(JSON.stringify({ valid_acc: acc, params_k: arch.depth * arch.width }));
