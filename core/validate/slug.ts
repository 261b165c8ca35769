// Step ids: explicit, or a slug of the title. The runner and the validator must agree on them.

/** "Fail over the global cluster" → "fail-over-the-global-cluster"; accents dropped; '' if nothing is left. */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The id a step is known by in the journal: its `id`, else the slug of its title. */
export function stepIdOf(step: { id?: string; title: string }): string {
  return step.id ?? slugify(step.title);
}
