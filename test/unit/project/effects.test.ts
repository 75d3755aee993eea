import {
  applyEffectsToSnapshot,
  applyPromotionEffects,
  applyStepEffects,
  metadataSnapshot,
  type StepEffect,
} from '../../../core/project/effects.js';
import { aFreight, aPromotion, aState } from './builders.js';
import { aStage, request } from '../../support/manifests.js';

function state() {
  const f1 = aFreight('f1', { alias: 'old-otter' });
  const f2 = aFreight('f2', { alias: 'taken-tapir' });
  const s = aState({ stages: [aStage('dev', { requests: [request('app', { direct: true })] })], freight: [f1, f2] });
  s.stages['dev'] = { freightHistory: [], queue: [] };
  return s;
}

describe('step effects', () => {
  it('set-metadata merges keys into a stage or a freight (by name or alias); null deletes', () => {
    const s = state();
    const problems = applyStepEffects(s, [
      { kind: 'set-metadata', target: 'Stage', name: 'dev', values: { lastTested: 'v1', gone: 1 } },
      { kind: 'set-metadata', target: 'Stage', name: 'dev', values: { gone: null } },
      { kind: 'set-metadata', target: 'Freight', name: 'old-otter', values: { qa: { passed: true } } },
    ]);
    expect(problems).toEqual([]);
    expect(s.stages['dev']?.metadata).toEqual({ lastTested: 'v1' });
    expect(s.freight['f1']?.metadata).toEqual({ qa: { passed: true } });
    expect(metadataSnapshot(s)).toEqual({ freight: { f1: { qa: { passed: true } } }, stages: { dev: { lastTested: 'v1' } } });
  });

  it('set-freight-alias renames, refusing an alias another freight holds and unknown targets', () => {
    const s = state();
    const problems = applyStepEffects(s, [
      { kind: 'set-freight-alias', freight: 'f1', alias: 'taken-tapir' },
      { kind: 'set-freight-alias', freight: 'f1', alias: 'new-newt' },
      { kind: 'set-freight-alias', freight: 'nope', alias: 'x' },
      { kind: 'set-metadata', target: 'Stage', name: 'prod', values: { a: 1 } },
    ]);
    expect(s.freight['f1']?.alias).toBe('new-newt');
    expect(problems).toEqual([
      'set-freight-alias: alias "taken-tapir" is already used by freight f2; not applied',
      'set-freight-alias: freight "nope" does not exist; not applied',
      'set-metadata: Stage "prod" does not exist; not applied',
    ]);
  });

  it('a promotion that ends reports the effects it could not apply in its message', () => {
    const s = state();
    s.promotions.push(aPromotion('p1', 'dev', s.freight['f1']!, { message: 'done' }));
    const effects: StepEffect[] = [{ kind: 'set-freight-alias', freight: 'f1', alias: 'taken-tapir' }];
    applyPromotionEffects(s, { name: 'p1', effects });
    expect(s.promotions[0]?.message).toBe('done; set-freight-alias: alias "taken-tapir" is already used by freight f2; not applied');
  });

  it('the promotion sees its own set-metadata effects at once', () => {
    const snap = { freight: {}, stages: { dev: { a: 1 } } };
    applyEffectsToSnapshot(snap, [
      { kind: 'set-metadata', target: 'Stage', name: 'dev', values: { b: 2 } },
      { kind: 'set-freight-alias', freight: 'f1', alias: 'x' },
    ]);
    expect(snap).toEqual({ freight: {}, stages: { dev: { a: 1, b: 2 } } });
  });
});
