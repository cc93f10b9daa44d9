import { mountExperimentPage } from './experiment-page.js';
import { mountListPage } from './list-page.js';
import { route } from './router.js';
import { showError } from './status.js';

let unmount: (() => void) | undefined;

function render(): void {
  const root = document.getElementById('app');
  if (root === null) return;
  unmount?.();
  showError(undefined);
  const target = route(window.location.hash);
  document.title = 'naslab';
  unmount = target.page === 'experiment' ? mountExperimentPage(root, target.id) : mountListPage(root);
  window.scrollTo(0, 0);
}

window.addEventListener('hashchange', render);
render();
