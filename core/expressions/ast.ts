/**
 * The syntax tree of an expr-lang expression. Every node carries `pos`, the 0-based offset of its
 * first character in the source, used in error messages.
 */
export type Ast =
  | LiteralNode
  | IdentifierNode
  | PointerNode
  | UnaryNode
  | BinaryNode
  | ConditionalNode
  | MemberNode
  | SliceNode
  | CallNode
  | MethodCallNode
  | ClosureNode
  | ArrayNode
  | MapNode
  | LetNode
  | ChainNode;

export interface LiteralNode {
  type: 'Literal';
  value: string | number | boolean | null;
  pos: number;
}

export interface IdentifierNode {
  type: 'Identifier';
  name: string;
  pos: number;
}

/** `#` (the current element), `#acc` (reduce's accumulator), `#index`; `name` is '' for `#`. */
export interface PointerNode {
  type: 'Pointer';
  name: string;
  pos: number;
}

export interface UnaryNode {
  type: 'Unary';
  operator: '!' | 'not' | '-' | '+';
  operand: Ast;
  pos: number;
}

export interface BinaryNode {
  type: 'Binary';
  /** Word operators are normalised: `and` → `&&`, `or` → `||`, `not in` → `not in`, `^` → `**`. */
  operator: string;
  left: Ast;
  right: Ast;
  pos: number;
}

export interface ConditionalNode {
  type: 'Conditional';
  test: Ast;
  consequent: Ast;
  alternate: Ast;
  pos: number;
}

/** `a.b`, `a?.b`, `a[expr]`, `a?.[expr]`; for `.b` the property is a string literal. */
export interface MemberNode {
  type: 'Member';
  object: Ast;
  property: Ast;
  optional: boolean;
  pos: number;
}

export interface SliceNode {
  type: 'Slice';
  object: Ast;
  from?: Ast;
  to?: Ast;
  pos: number;
}

/** `name(args)`, including pipes: `x | f(y)` is `f(x, y)`. Closure arguments are ClosureNodes. */
export interface CallNode {
  type: 'Call';
  callee: string;
  args: Ast[];
  pos: number;
}

/** `value.Method(args)`: only on values that expose methods (semverParse(), times). */
export interface MethodCallNode {
  type: 'MethodCall';
  object: Ast;
  method: string;
  args: Ast[];
  optional: boolean;
  pos: number;
}

/** A predicate passed to all/filter/map/...; evaluated once per element with `#` bound. */
export interface ClosureNode {
  type: 'Closure';
  body: Ast;
  pos: number;
}

export interface ArrayNode {
  type: 'Array';
  elements: Ast[];
  pos: number;
}

export interface MapNode {
  type: 'Map';
  entries: { key: Ast; value: Ast }[];
  pos: number;
}

export interface LetNode {
  type: 'Let';
  name: string;
  value: Ast;
  body: Ast;
  pos: number;
}

/** Wraps a member chain holding `?.`: a nil met by `?.` makes the whole chain nil. */
export interface ChainNode {
  type: 'Chain';
  expression: Ast;
  pos: number;
}
