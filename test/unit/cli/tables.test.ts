import { describe, expect, it } from '@jest/globals';
import { renderTable } from '../../../cli/tables.js';

const now = new Date('2026-01-01T01:00:00Z');

describe('renderTable', () => {
  it('shows a stage running a promotion as Running, with a multi-origin summary', () => {
    const stage = {
      metadata: { name: 'prod' },
      status: {
        freightSummary: '1/2 Fulfilled',
        currentPromotion: { name: 'prod.02.abc' },
        lastPromotion: { name: 'prod.01.abc', status: { phase: 'Failed' } },
      },
    };
    expect(renderTable('stages', [stage], now)).toBe(
      'NAME   CURRENT-FREIGHT   LAST-PROMOTION   PHASE     VERIFICATION   MESSAGE\nprod   1/2 Fulfilled     prod.02.abc      Running   -              -\n',
    );
  });

  it('shows the Verified condition’s reason and the first line of its message', () => {
    const stage = {
      metadata: { name: 'dev' },
      status: {
        freightSummary: 'f1',
        conditions: [{ type: 'Verified', status: 'False', reason: 'VerificationFailed', message: 'metric "rate" assessed Failed\nmore' }],
      },
    };
    expect(renderTable('stages', [stage], now)).toBe(
      'NAME   CURRENT-FREIGHT   LAST-PROMOTION   PHASE   VERIFICATION         MESSAGE\ndev    f1                -                -       VerificationFailed   metric "rate" assessed Failed\n',
    );
  });

  it('lists every stage a freight is in, sorted', () => {
    const freight = {
      metadata: { name: 'f1', creationTimestamp: '2026-01-01T00:59:00Z' },
      alias: 'tidy-otter',
      origin: { kind: 'Warehouse', name: 'app' },
      status: { currentlyIn: { staging: {}, dev: {} } },
    };
    expect(renderTable('freight', [freight], now)).toBe(
      'NAME   ALIAS        ORIGIN   CURRENTLY-IN   AGE\nf1     tidy-otter   app      dev,staging    60s\n',
    );
  });

  it('shows dashes for fields the object lacks', () => {
    expect(renderTable('promotions', [{ metadata: { name: 'p' } }], now)).toBe(
      'NAME   STAGE   FREIGHT   PHASE   AGE\np      -       -         -       <unknown>\n',
    );
    expect(renderTable('projects', [{ metadata: { name: 'demo' } }], now)).toBe(
      'NAME   WAREHOUSES   STAGES   FREIGHT\ndemo   -            -        -\n',
    );
  });
});
