/**
 * Figures inside the README's prose. A sentence that states a result of a validation ("the compiled 5B row comes
 * out 26% slow") holds the figure between inline markers, `<!--fig:NAME-->26% slow<!--/fig-->` (invisible when
 * rendered), and NAME's generator computes it now: `npm run readme` rewrites them, test/inline-figures.test.ts
 * fails when one is stale, unknown or unused. Generated blocks (readme-blocks.ts) hold whole tables and
 * paragraphs; these hold the numbers of hand-written sentences.
 */
import { ENGINE_PROSE_FIGURES } from './engine-prose-figures.ts';
import { VALIDATION_PROSE_FIGURES } from './validation-prose-figures.ts';
import { CAPACITY_PROSE_FIGURES } from './capacity-prose-figures.ts';

export type FigureGenerators = Record<string, () => string>;

export const PROSE_FIGURES: FigureGenerators = { ...ENGINE_PROSE_FIGURES, ...VALIDATION_PROSE_FIGURES, ...CAPACITY_PROSE_FIGURES };

const FIG = /<!--fig:([\w.-]+)-->([\s\S]*?)<!--\/fig-->/g;

/** Every inline figure in `text`: its name and the text it holds now. */
export function figuresIn(text: string): { name: string; shown: string }[] {
  return [...text.matchAll(FIG)].map((m) => ({ name: m[1]!, shown: m[2]! }));
}

/** `text` with every inline figure recomputed; throws on a name with no generator. */
export function renderFigures(text: string, figures: FigureGenerators = PROSE_FIGURES): string {
  return text.replace(FIG, (_m, name: string) => {
    const gen = figures[name];
    if (!gen) throw new Error(`README.md: inline figure '${name}' has no generator (src/docs/inline-figures.ts)`);
    return `<!--fig:${name}-->${gen()}<!--/fig-->`;
  });
}

/** Names whose shown text differs from what their generator gives now (unknown names included). */
export function staleFigures(text: string, figures: FigureGenerators = PROSE_FIGURES): string[] {
  return figuresIn(text).filter(({ name, shown }) => !figures[name] || figures[name]!() !== shown).map((f) => f.name);
}
