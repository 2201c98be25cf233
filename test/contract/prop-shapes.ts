/* eslint-disable no-bitwise */ // the TypeScript compiler API reports types and symbols as bit flags
/**
 * The shape of every exported construct's and chart's props, and of every exported function's
 * parameters, read from the TypeScript source with the compiler API. The JavaScript-caller mode of the
 * contract suite mutates every path of these shapes, so a prop added to a props interface is attacked
 * without a hand-written case (a baseline that does not set it still gets it, built on the baseline).
 */
import * as path from 'path';
import * as ts from 'typescript';

/** The runtime form a prop must have, as a jsii caller sees it. */
export type Shape =
  | { readonly kind: 'string' | 'number' | 'boolean' | 'any' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'list'; readonly element: Shape }
  | { readonly kind: 'map'; readonly element: Shape }
  | { readonly kind: 'struct'; readonly name: string; readonly props: Readonly<Record<string, Field>> }
  /** An instance of a class or a behavioural interface (Duration, IRole, PolicyStatement). */
  | { readonly kind: 'instance'; readonly name: string };

export interface Field {
  readonly shape: Shape;
  readonly optional: boolean;
}

export interface Callable {
  readonly name: string;
  readonly params: ReadonlyArray<{ readonly name: string } & Field>;
}

const ROOT = path.join(__dirname, '..', '..', 'src', 'index.ts');

let cached: { checker: ts.TypeChecker; exports: ts.Symbol[] } | undefined;
function program(): { checker: ts.TypeChecker; exports: ts.Symbol[] } {
  if (!cached) {
    const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, noEmit: true };
    const prog = ts.createProgram([ROOT], options);
    const checker = prog.getTypeChecker();
    const source = prog.getSourceFile(ROOT)!;
    cached = { checker, exports: checker.getExportsOfModule(checker.getSymbolAtLocation(source)!) };
  }
  return cached;
}

function resolved(symbol: ts.Symbol, checker: ts.TypeChecker): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function shapeOf(type: ts.Type, checker: ts.TypeChecker, depth = 0): Shape {
  const t = checker.getNonNullableType(type);
  if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return { kind: 'any' };
  if (t.flags & ts.TypeFlags.BooleanLike) return { kind: 'boolean' };
  if (t.isUnion()) {
    const parts = t.types.filter((p) => !(p.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
    if (parts.every((p) => p.flags & ts.TypeFlags.BooleanLike)) return { kind: 'boolean' };
    if (parts.every((p) => p.isStringLiteral())) return { kind: 'enum', values: parts.map((p) => (p as ts.StringLiteralType).value) };
    if (parts.every((p) => p.flags & ts.TypeFlags.EnumLiteral)) {
      return { kind: 'enum', values: parts.map((p) => String((p as ts.LiteralType).value)) };
    }
    return { kind: 'any' };
  }
  if (t.flags & ts.TypeFlags.EnumLiteral) return { kind: 'enum', values: [String((t as ts.LiteralType).value)] };
  if (t.flags & ts.TypeFlags.StringLike) return { kind: 'string' };
  if (t.flags & ts.TypeFlags.NumberLike) return { kind: 'number' };
  if (checker.isArrayType(t) || checker.isTupleType(t)) {
    const element = checker.getTypeArguments(t as ts.TypeReference)[0];
    return { kind: 'list', element: element ? shapeOf(element, checker, depth + 1) : { kind: 'any' } };
  }
  const index = checker.getIndexInfoOfType(t, ts.IndexKind.String);
  if (index && t.getProperties().length === 0) return { kind: 'map', element: shapeOf(index.type, checker, depth + 1) };
  const symbol = t.aliasSymbol ?? t.getSymbol();
  const name = symbol?.getName() ?? '?';
  const decl = symbol?.declarations?.[0];
  // A struct is a data interface (jsii: an interface whose name does not start with I); a class or an
  // I-interface is a behavioural value the caller builds with our or aws-cdk-lib's API.
  const isStruct = decl !== undefined && ts.isInterfaceDeclaration(decl) && !/^I[A-Z]/.test(name) && depth < 6;
  if (!isStruct) return { kind: 'instance', name };
  const props: Record<string, Field> = {};
  for (const prop of t.getProperties()) {
    const pdecl = prop.valueDeclaration ?? prop.declarations?.[0];
    if (!pdecl) continue;
    const propShape = shapeOf(checker.getTypeOfSymbolAtLocation(prop, pdecl), checker, depth + 1);
    props[prop.getName()] = { shape: propShape, optional: (prop.flags & ts.SymbolFlags.Optional) !== 0 };
  }
  return { kind: 'struct', name, props };
}

/** The props shape of an exported construct or chart (its constructor's third parameter). */
export function propsShapeOf(className: string): Shape {
  const { checker, exports } = program();
  const symbol = exports.find((s) => s.getName() === className);
  if (!symbol) throw new Error(`${className} is not exported from src/index.ts`);
  const cls = resolved(symbol, checker);
  const ctor = checker.getTypeOfSymbol(cls).getConstructSignatures()[0];
  const propsParam = ctor.getParameters()[2];
  if (!propsParam) return { kind: 'struct', name: '(none)', props: {} };
  return shapeOf(checker.getTypeOfSymbolAtLocation(propsParam, propsParam.valueDeclaration!), checker);
}

/**
 * Every exported function, and every public static method of an exported class that is not a
 * construct (FleetNames.*, helpers), with its parameters' shapes.
 */
export function exportedCallables(): Callable[] {
  const { checker, exports } = program();
  const out: Callable[] = [];
  const describe = (name: string, sig: ts.Signature) => out.push({
    name,
    params: sig.getParameters().map((p) => {
      const decl = p.valueDeclaration as ts.ParameterDeclaration;
      const shape = shapeOf(checker.getTypeOfSymbolAtLocation(p, decl), checker);
      return { name: p.getName(), shape, optional: !!(decl.questionToken || decl.initializer) };
    }),
  });
  // Only the library's own: not the statics every construct, chart and stack inherits (isConstruct, of).
  const ours = (decl: ts.Node | undefined) => !!decl && !decl.getSourceFile().fileName.includes('node_modules');
  for (const exported of exports) {
    const symbol = resolved(exported, checker);
    if (!ours(symbol.valueDeclaration ?? symbol.declarations?.[0])) continue;
    if (symbol.flags & ts.SymbolFlags.Function) {
      describe(exported.getName(), checker.getTypeOfSymbol(symbol).getCallSignatures()[0]);
    } else if (symbol.flags & ts.SymbolFlags.Class) {
      const statics = checker.getTypeOfSymbol(symbol);
      for (const member of statics.getProperties()) {
        const decl = member.valueDeclaration;
        if (!decl || !ts.isMethodDeclaration(decl) || !ours(decl)) continue;
        const mods = ts.getCombinedModifierFlags(decl);
        if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || member.getName().startsWith('_')) continue;
        describe(`${exported.getName()}.${member.getName()}`, checker.getTypeOfSymbolAtLocation(member, decl).getCallSignatures()[0]);
      }
    }
  }
  return out;
}
