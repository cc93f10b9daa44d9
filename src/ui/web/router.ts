export type Route = { readonly page: 'list' } | { readonly page: 'experiment'; readonly id: string };

/** Hash routes: `#/` the experiments list, `#/experiments/:id` one experiment; anything else the list. */
export function route(hash: string): Route {
  const match = /^#\/experiments\/([^/?#]+)/.exec(hash);
  if (match?.[1] !== undefined) return { page: 'experiment', id: decodeURIComponent(match[1]) };
  return { page: 'list' };
}
