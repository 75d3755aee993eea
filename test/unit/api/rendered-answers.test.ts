import { renderedAnswer, RenderedAnswers } from '../../../api/rendered-answers.js';

describe('RenderedAnswers', () => {
  it('renders once per snapshot and key, whatever the number of readers', () => {
    const answers = new RenderedAnswers();
    const snapshot = { stages: ['dev'] };
    let renders = 0;
    const render = (): unknown => ({ n: ++renders });
    const first = answers.answer(snapshot, 'stages', render);
    for (let i = 0; i < 99; i++) expect(answers.answer(snapshot, 'stages', render)).toBe(first);
    expect(renders).toBe(1);
    expect(answers.renders).toBe(1);
    expect(first.body.toString()).toBe('{"n":1}');
  });

  it('renders again for another key of the same snapshot, and for a new snapshot (after a write)', () => {
    const answers = new RenderedAnswers();
    const snapshot = { v: 1 };
    const stages = answers.answer(snapshot, 'stages', () => ({ kind: 'stages', v: snapshot.v }));
    const promotions = answers.answer(snapshot, 'promotions', () => ({ kind: 'promotions', v: snapshot.v }));
    expect(promotions.body.toString()).toBe('{"kind":"promotions","v":1}');
    const next = { v: 2 };
    const fresh = answers.answer(next, 'stages', () => ({ kind: 'stages', v: next.v }));
    expect(fresh.body.toString()).toBe('{"kind":"stages","v":2}');
    expect(fresh.etag).not.toBe(stages.etag);
    expect(answers.renders).toBe(3);
  });

  it('gives the same content the same strong ETag, from whichever snapshot', () => {
    const a = renderedAnswer({ items: [1, 2] });
    const b = renderedAnswer({ items: [1, 2] });
    expect(a.etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(b.etag).toBe(a.etag);
    expect(renderedAnswer({ items: [2, 1] }).etag).not.toBe(a.etag);
  });
});
