import { toReference } from '../../../core/project/promotions.js';
import { promotionContext, promotionContextOf, stepExpressionContext, type PromotionContext } from '../../../core/promotion/context.js';
import { aFreight, aPromotion, aState, T0 } from '../project/builders.js';
import { aStage, request } from '../../support/manifests.js';

const ID_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ID_B = 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ID_C = 'c1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

describe('promotionContext', () => {
  it("carries the promotion's identity, actor and rollback flag, and the freight the stage will hold", () => {
    // arrange: prod holds B of `app` and C of `db`; A of `app` is promoted back
    const a = aFreight(ID_A, { alias: 'old-owl' });
    const b = aFreight(ID_B, { alias: 'new-newt' });
    const c = aFreight(ID_C, { alias: 'db-dove', origin: { kind: 'Warehouse', name: 'db' } });
    const state = aState({ stages: [aStage('prod', { requests: [request('app', { direct: true }), request('db', { direct: true })] })], freight: [a, b, c] });
    state.stages['prod']!.freightHistory = [
      { collection: { id: 'x', items: { 'Warehouse/app': toReference(b), 'Warehouse/db': toReference(c) } }, promotedAt: T0 },
    ];
    const promotion = aPromotion('prod.p1', 'prod', a, { actor: 'frank', rollback: true });

    // act
    const context = promotionContext(state, promotion, a);

    // assert
    expect(context).toEqual({
      project: 'demo',
      stage: 'prod',
      promotion: 'prod.p1',
      actor: 'frank',
      rollback: true,
      freight: { id: expect.any(String), items: { 'Warehouse/app': toReference(a), 'Warehouse/db': toReference(c) } },
      targetFreight: { name: ID_A, alias: 'old-owl', origin: { kind: 'Warehouse', name: 'app' } },
      requestedOrigins: ['app', 'db'],
    });
  });

  it('has no actor or rollback for an auto-promotion of new freight', () => {
    const a = aFreight(ID_A);
    const state = aState({ stages: [aStage('dev')], freight: [a] });
    const context = promotionContext(state, aPromotion('dev.p1', 'dev', a, { auto: true }), a);
    expect(context).not.toHaveProperty('actor');
    expect(context).not.toHaveProperty('rollback');
  });
});

const CONTEXT: PromotionContext = {
  project: 'demo',
  stage: 'prod',
  promotion: 'prod.p1',
  actor: 'frank',
  rollback: true,
  freight: { id: 'x', items: {} },
  targetFreight: { name: ID_A, alias: 'old-owl', origin: { kind: 'Warehouse', name: 'app' } },
  requestedOrigins: ['app'],
};

describe('promotionContextOf', () => {
  it('takes the context out of an input that carries more, unchanged', () => {
    const input = { ...CONTEXT, workspaceKey: 'ws-1', plan: { vars: [], steps: [] } };
    expect(promotionContextOf(input)).toEqual(CONTEXT);
  });

  it("keeps only the target freight's identity from inputs recorded with the whole reference", () => {
    const recorded = { ...CONTEXT, targetFreight: { ...toReference(aFreight(ID_A, { alias: 'old-owl' })) } };
    expect(promotionContextOf(recorded).targetFreight).toEqual(CONTEXT.targetFreight);
  });

  it('reads an input recorded without a rollback flag as no rollback', () => {
    const { rollback: _rollback, ...recorded } = CONTEXT;
    expect(promotionContextOf(recorded)).not.toHaveProperty('rollback');
    expect(stepExpressionContext(promotionContextOf(recorded), {}, 's')).toMatchObject({ meta: { promotion: { rollback: false } } });
  });
});

describe('stepExpressionContext', () => {
  it("is Kargo's ctx: the UI's base URL, the promotion, its target freight and the step", () => {
    expect(stepExpressionContext(CONTEXT, { uiBaseUrl: 'https://shunt.example.com' }, 'update')).toEqual({
      uiBaseUrl: 'https://shunt.example.com',
      project: 'demo',
      stage: 'prod',
      promotion: 'prod.p1',
      targetFreight: { name: ID_A, alias: 'old-owl', origin: { name: 'app' } },
      meta: { promotion: { actor: 'frank', rollback: true }, step: { alias: 'update' } },
    });
  });

  it("gives '' for the UI's base URL and the actor when there are none", () => {
    const { actor: _actor, ...auto } = CONTEXT;
    expect(stepExpressionContext(auto, {}, 'update')).toMatchObject({ uiBaseUrl: '', meta: { promotion: { actor: '' } } });
  });
});
