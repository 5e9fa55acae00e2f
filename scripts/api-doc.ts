/**
 * The API reference (docs/API.md), generated from the TypeScript source of the package entry (lib/index.ts) with
 * the compiler's own reader of TSDoc: every exported construct with its props and public properties, and every
 * settings type the props reach, one table each (name, type, default, description).
 *
 *   npx tsx scripts/api-doc.ts           writes docs/API.md
 *   npx tsx scripts/api-doc.ts --check   exits 1 when docs/API.md is not what the source gives
 *
 * test/unit/package-api.test.ts checks that every prop is documented and every optional prop names its `@default`,
 * as aws-cdk-lib writes them (`@default 60`, `@default - a sentence about the behaviour`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const API_DOC = join(PROJECT_ROOT, 'docs', 'API.md');

export interface ApiMember {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
  /** The TSDoc summary, empty when missing. */
  readonly doc: string;
  /** The `@default` tag's text; undefined when there is none. */
  readonly default?: string;
  /** A property typed `never`: there to make two options mutually exclusive, never set. */
  readonly never: boolean;
}

export interface ApiType {
  readonly name: string;
  readonly kind: 'construct' | 'props' | 'settings';
  /** Source file, relative to the project root. */
  readonly file: string;
  readonly doc: string;
  readonly members: readonly ApiMember[];
  /** Interfaces it extends from outside this package (aws-cdk-lib's `StackProps`): their props are not listed. */
  readonly extendsExternal: readonly string[];
}

function docOf(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
}

function defaultOf(checker: ts.TypeChecker, symbol: ts.Symbol): string | undefined {
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === 'default');
  if (tag === undefined) return undefined;
  return ts
    .displayPartsToString(tag.text ?? [])
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether a declaration is one of ours (lib/ or lambda/), so its type gets a table of its own. */
function isOwn(declaration: ts.Declaration | undefined): boolean {
  if (declaration === undefined) return false;
  const file = relative(PROJECT_ROOT, declaration.getSourceFile().fileName);
  return file.startsWith('lib/') || file.startsWith('lambda/');
}

/**
 * The interfaces of ours a property's type names: through arrays, `readonly`, unions, intersections and type aliases
 * (`readonly ApiConfig[]` gives RestApiConfig and HttpApiConfig; `AlarmSettings` its timing and both thresholds).
 */
function ownInterfaces(checker: ts.TypeChecker, node: ts.TypeNode | undefined): ts.Symbol[] {
  if (node === undefined) return [];
  if (ts.isArrayTypeNode(node)) return ownInterfaces(checker, node.elementType);
  if (ts.isTypeOperatorNode(node) || ts.isParenthesizedTypeNode(node)) return ownInterfaces(checker, node.type);
  if (ts.isUnionTypeNode(node) || ts.isIntersectionTypeNode(node)) {
    return node.types.flatMap((t) => ownInterfaces(checker, t));
  }
  if (!ts.isTypeReferenceNode(node)) return [];
  let symbol = checker.getSymbolAtLocation(node.typeName);
  if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.[0];
  if (symbol === undefined || !isOwn(declaration)) return [];
  if (declaration !== undefined && ts.isTypeAliasDeclaration(declaration))
    return ownInterfaces(checker, declaration.type);
  return declaration !== undefined && ts.isInterfaceDeclaration(declaration) ? [symbol] : [];
}

function membersOf(checker: ts.TypeChecker, type: ts.Type): ApiMember[] {
  return checker.getPropertiesOfType(type).flatMap((property) => {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    if (declaration === undefined || !isOwn(declaration)) return [];
    const propertyType = checker.getTypeOfSymbolAtLocation(property, declaration);
    const typeNode =
      ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration) ? declaration.type : undefined;
    return [
      {
        name: property.name,
        type: (typeNode?.getText() ?? checker.typeToString(propertyType)).replace(/\s+/g, ' '),
        optional: (property.flags & ts.SymbolFlags.Optional) !== 0,
        doc: docOf(checker, property),
        default: defaultOf(checker, property),
        never: (checker.getNonNullableType(propertyType).flags & ts.TypeFlags.Never) !== 0,
      },
    ];
  });
}

function typeNodeOf(property: ts.Symbol): ts.TypeNode | undefined {
  const declaration = property.valueDeclaration ?? property.declarations?.[0];
  return declaration !== undefined && (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration))
    ? declaration.type
    : undefined;
}

/** Reads lib/index.ts: its constructs, their props, and every settings type the props reach. */
export function collectApi(): ApiType[] {
  const entry = join(PROJECT_ROOT, 'lib', 'index.ts');
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source !== undefined ? checker.getSymbolAtLocation(source) : undefined;
  if (module === undefined) throw new Error(`cannot read ${entry}`);
  const exported = checker.getExportsOfModule(module).map((s) => checker.getAliasedSymbol(s));

  const types: ApiType[] = [];
  const done = new Set<string>();
  const queue: ts.Symbol[] = [];
  const add = (symbol: ts.Symbol, kind: ApiType['kind']) => {
    if (done.has(symbol.name)) return;
    done.add(symbol.name);
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const declaration = symbol.declarations?.[0];
    types.push({
      name: symbol.name,
      kind,
      file: declaration !== undefined ? relative(PROJECT_ROOT, declaration.getSourceFile().fileName) : '',
      doc: docOf(checker, symbol),
      members: membersOf(checker, type),
      extendsExternal:
        declaration !== undefined && ts.isInterfaceDeclaration(declaration)
          ? (declaration.heritageClauses ?? [])
              .flatMap((h) => h.types)
              .filter((t) => {
                const base = checker.getSymbolAtLocation(t.expression);
                const real =
                  base !== undefined && (base.flags & ts.SymbolFlags.Alias) !== 0
                    ? checker.getAliasedSymbol(base)
                    : base;
                return !isOwn(real?.declarations?.[0]);
              })
              .map((t) => t.getText())
          : [],
    });
    for (const property of checker.getPropertiesOfType(type))
      queue.push(...ownInterfaces(checker, typeNodeOf(property)));
  };

  // The constructs a consumer creates: exported classes with an exported `<Name>Props`, then the settings types
  // their props reach.
  for (const symbol of exported) {
    const declaration = symbol.declarations?.[0];
    const props = exported.find((s) => s.name === `${symbol.name}Props`);
    if (declaration === undefined || !ts.isClassDeclaration(declaration) || props === undefined) continue;
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const fields = checker
      .getPropertiesOfType(instance)
      .filter((p) => p.valueDeclaration !== undefined && p.valueDeclaration.parent === declaration);
    done.add(symbol.name);
    types.push({
      name: symbol.name,
      kind: 'construct',
      file: relative(PROJECT_ROOT, declaration.getSourceFile().fileName),
      doc: docOf(checker, symbol),
      members: fields.map((p) => ({
        name: p.name,
        type: (typeNodeOf(p)?.getText() ?? '').replace(/\s+/g, ' '),
        optional: (p.flags & ts.SymbolFlags.Optional) !== 0,
        doc: docOf(checker, p),
        never: false,
      })),
      extendsExternal: [],
    });
    add(props, 'props');
  }
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) add(next, 'settings');
  return types;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderApi(types: readonly ApiType[]): string {
  const out: string[] = [];
  const p = (line = '') => out.push(line);
  p('# API reference');
  p();
  p(
    'Generated from the TSDoc of the package entry, lib/index.ts, by `npx tsx scripts/api-doc.ts`: do not edit by ' +
      'hand. `import { ApiGateway5xxResponder } from "apigw-5xx-responder"`.',
  );
  p();
  const order: ApiType['kind'][] = ['construct', 'props', 'settings'];
  const sorted = [...types].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  for (const type of sorted) {
    const what = type.kind === 'construct' ? 'construct' : type.kind === 'props' ? 'props' : 'settings';
    p(`## ${type.name} (${what})`);
    p();
    if (type.doc !== '') p(type.doc);
    p();
    p(`Source: ${type.file}`);
    p();
    if (type.extendsExternal.length > 0) {
      p(`Also takes every prop of ${type.extendsExternal.map((e) => `\`${e}\``).join(', ')} (aws-cdk-lib).`);
      p();
    }
    if (type.kind === 'construct') {
      p('| Property | Type | Description |');
      p('|---|---|---|');
      for (const m of type.members) p(`| \`${m.name}\` | \`${cell(m.type)}\` | ${cell(m.doc)} |`);
    } else {
      p('| Name | Type | Default | Description |');
      p('|---|---|---|---|');
      for (const m of type.members.filter((x) => !x.never)) {
        const dflt = m.optional ? cell(m.default ?? '') : '*required*';
        p(
          `| \`${m.name}\` | \`${cell(m.type)}\` | ${dflt.startsWith('- ') ? dflt.slice(2) : dflt === '*required*' ? dflt : `\`${dflt}\``} | ${cell(m.doc)} |`,
        );
      }
    }
    p();
  }
  return out.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const text = renderApi(collectApi());
  if (process.argv.includes('--check')) {
    const current = readFileSync(API_DOC, 'utf8');
    if (current !== text) {
      process.stderr.write('docs/API.md is out of date: run `npx tsx scripts/api-doc.ts`\n');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(API_DOC, text);
  }
}
