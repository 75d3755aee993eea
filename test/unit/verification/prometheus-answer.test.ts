/**
 * Issue 14: Prometheus' /api/v1/query answer is parsed by a schema; a sample without its value,
 * or a result of the wrong shape, is an error naming the field instead of a silent NaN.
 */
import { prometheusResult } from '../../../core/verification/conditions.js';

describe('prometheusResult with a malformed answer', () => {
  it.each([
    ['a vector sample without a value', { status: 'success', data: { resultType: 'vector', result: [{ metric: {} }] } }, 'Prometheus: the answer is not what its API documents (data.result[0].value: required)'],
    ['a vector sample whose value is a number', { status: 'success', data: { resultType: 'vector', result: [{ value: [1700000000, 0.5] }] } }, 'Prometheus: the answer is not what its API documents (data.result[0].value[1]: expected string, got number)'],
    ['a scalar that is not a pair', { status: 'success', data: { resultType: 'scalar', result: '3' } }, 'Prometheus: the answer is not what its API documents (data.result: expected array, got string)'],
    ['no result type', { status: 'success', data: {} }, 'Prometheus: the answer is not what its API documents (data.resultType: required)'],
    ['an HTML page (a string)', '<html>proxy error</html>', 'Prometheus answered without status "success"'],
  ])('%s is an error naming the field', (_, body, message) => {
    expect(() => prometheusResult(body)).toThrow(new Error(message));
  });
});
