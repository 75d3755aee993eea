/**
 * The compile-time checks Kargo's freight creation criteria get from expr-lang: the functions are
 * registered with Go signatures (pkg/expressions/function/functions.go,
 * DiscoveredArtifactsOperations), so expr's checker refuses a call with the wrong number of
 * arguments, an argument of a known wrong type, or a field the returned struct does not have —
 * anywhere in the expression, reached or not. Messages are expr-lang v1.17's.
 *
 * Only types expr knows statically are checked (literals, lists, maps, these functions' results
 * and their fields); anything else is checked when the function runs (criteria.ts).
 */
import type { Ast } from '../expressions/ast.js';

/** A Go struct as expr's checker sees it: its name and its fields' types. */
interface StructType {
  name: string;
  fields: Record<string, string>;
}

const TIME = '*v1.Time';

export const DISCOVERED_IMAGE: StructType = {
  name: 'v1alpha1.DiscoveredImageReference',
  fields: { Tag: 'string', Digest: 'string', Annotations: 'map[string]string', CreatedAt: TIME },
};

export const DISCOVERED_COMMIT: StructType = {
  name: 'v1alpha1.DiscoveredCommit',
  fields: { ID: 'string', Branch: 'string', Tag: 'string', Subject: 'string', Author: 'string', Committer: 'string', CreatorDate: TIME },
};

export const CHART: StructType = {
  name: 'v1alpha1.Chart',
  fields: { RepoURL: 'string', Name: 'string', Version: 'string', SubscriptionName: 'string' },
};

export const ARTIFACT: StructType = {
  name: 'function.expressionFriendlyArtifactReference',
  fields: { ArtifactType: 'string', SubscriptionName: 'string', Version: 'string', Metadata: 'map[string]interface {}' },
};

/** Each function's overloads, in Kargo's registration order (expr reports the last one's error). */
const SIGNATURES: Record<string, { params: string[]; result: StructType }[]> = {
  imageFrom: [{ params: ['string'], result: DISCOVERED_IMAGE }],
  commitFrom: [{ params: ['string'], result: DISCOVERED_COMMIT }],
  chartFrom: [
    { params: ['string', 'string'], result: CHART },
    { params: ['string'], result: CHART },
  ],
  artifactFrom: [{ params: ['string'], result: ARTIFACT }],
};

/** A static type: a Go type name, a struct, or undefined when expr cannot know it. */
type StaticType = string | StructType | undefined;

export interface CriteriaCheckIssue {
  message: string;
  position: number;
}

class CheckFailed extends Error {
  constructor(readonly issue: CriteriaCheckIssue) {
    super(issue.message);
  }
}

const typeText = (t: StaticType): string => (typeof t === 'object' ? t.name : (t ?? 'interface {}'));

function literalType(value: string | number | boolean | null): StaticType {
  if (value === null) return 'nil';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  return Number.isInteger(value) ? 'int' : 'float64';
}

/** expr's checkArguments for one overload: the first problem, or the result type. */
function checkOverload(
  fn: string,
  params: string[],
  result: StructType,
  args: { node: Ast; type: StaticType }[],
  call: Ast,
): CriteriaCheckIssue | StructType {
  if (args.length > params.length) return { message: `too many arguments to call ${fn}`, position: call.pos };
  if (args.length < params.length) return { message: `not enough arguments to call ${fn}`, position: call.pos };
  for (const [i, arg] of args.entries()) {
    const want = params[i] as string;
    if (arg.type === undefined || arg.type === want) continue;
    const message =
      arg.type === 'nil'
        ? `cannot use nil as argument (type ${want}) to call ${fn}`
        : `cannot use ${typeText(arg.type)} as argument (type ${want}) to call ${fn}`;
    return { message, position: arg.node.pos };
  }
  return result;
}

function checkCall(node: Extract<Ast, { type: 'Call' }>, visit: (n: Ast) => StaticType): StaticType {
  const args = node.args.map((a) => ({ node: a, type: visit(a) }));
  const overloads = SIGNATURES[node.callee];
  if (overloads === undefined) return undefined;
  let last: CriteriaCheckIssue | undefined;
  for (const o of overloads) {
    const outcome = checkOverload(node.callee, o.params, o.result, args, node);
    if ('fields' in outcome) return outcome;
    last = outcome;
  }
  throw new CheckFailed(last as CriteriaCheckIssue);
}

/** `scope`: the static types of the `let` names in force (a `let` may shadow a function). */
function visit(node: Ast, scope: ReadonlyMap<string, StaticType>): StaticType {
  const v = (n: Ast): StaticType => visit(n, scope);
  switch (node.type) {
    case 'Literal':
      return literalType(node.value);
    case 'Array':
      node.elements.forEach(v);
      return '[]interface {}';
    case 'Map':
      node.entries.forEach((e) => (v(e.key), v(e.value)));
      return 'map[string]interface {}';
    case 'Call':
      if (scope.has(node.callee)) {
        node.args.forEach(v);
        return undefined;
      }
      return checkCall(node, v);
    case 'Member': {
      const object = v(node.object);
      v(node.property);
      if (typeof object !== 'object' || node.property.type !== 'Literal' || typeof node.property.value !== 'string') return undefined;
      const field = node.property.value;
      const type = object.fields[field];
      if (type === undefined) throw new CheckFailed({ message: `type ${object.name} has no field ${field}`, position: node.pos });
      return type;
    }
    case 'Let':
      return visit(node.body, new Map([...scope, [node.name, v(node.value)]]));
    case 'Chain':
      return v(node.expression);
    case 'Unary':
      v(node.operand);
      return undefined;
    case 'Binary':
      v(node.left);
      v(node.right);
      return undefined;
    case 'Conditional':
      v(node.test);
      v(node.consequent);
      v(node.alternate);
      return undefined;
    case 'Slice':
      v(node.object);
      if (node.from) v(node.from);
      if (node.to) v(node.to);
      return undefined;
    case 'MethodCall':
      v(node.object);
      node.args.forEach(v);
      return undefined;
    case 'Closure':
      v(node.body);
      return undefined;
    case 'Identifier':
      return scope.get(node.name);
    case 'Pointer':
      return undefined;
  }
}

/** The first problem expr-lang's checker finds in a parsed criteria expression, if any. */
export function checkCriteriaExpression(ast: Ast): CriteriaCheckIssue | undefined {
  try {
    visit(ast, new Map());
    return undefined;
  } catch (err) {
    if (err instanceof CheckFailed) return err.issue;
    throw err;
  }
}
