/**
 * Shared state of one validation pass over a fabric: the objects by kind and name (to resolve
 * references) and the problems/warnings found, each naming `file#document`, line and field.
 */
import type { ValidationProblem } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { SourceDocument } from '../../app-interface/hedgehog/documents.js';
import { documentRef } from '../../app-interface/hedgehog/documents.js';
import type { FabricKindName } from '../../app-interface/hedgehog/model.js';
import type { RawObject } from '../../app-interface/hedgehog/raw.js';
import { asObject } from '../../app-interface/hedgehog/raw.js';

/** One fabric CR of the GitOps directory, normalised (namespace `default`, fabric labels stripped). */
export interface FabricObject {
  readonly doc: SourceDocument;
  readonly kind: FabricKindName;
  readonly object: KubeObject;
}

export class FabricChecker {
  readonly problems: ValidationProblem[] = [];
  readonly warnings: ValidationProblem[] = [];
  private readonly byKind = new Map<FabricKindName, Map<string, FabricObject>>();

  /** Indexes the first object of each (kind, name); later duplicates are reported. */
  constructor(readonly objects: readonly FabricObject[]) {
    for (const o of objects) {
      let names = this.byKind.get(o.kind);
      if (names === undefined) {
        names = new Map();
        this.byKind.set(o.kind, names);
      }
      const first = names.get(o.object.metadata.name);
      if (first === undefined) names.set(o.object.metadata.name, o);
      else this.error(o, 'metadata.name', `duplicate ${o.kind} ${o.object.metadata.name}: already defined in ${documentRef(first.doc)}`);
    }
  }

  get(kind: FabricKindName, name: string): FabricObject | undefined {
    return this.byKind.get(kind)?.get(name);
  }

  all(kind: FabricKindName): readonly FabricObject[] {
    return [...(this.byKind.get(kind)?.values() ?? [])];
  }

  private problem(o: FabricObject, field: string, message: string): ValidationProblem {
    return { file: documentRef(o.doc), line: o.doc.line, field, message: `${o.kind} ${o.object.metadata.name}: ${message}` };
  }

  error(o: FabricObject, field: string, message: string): void {
    this.problems.push(this.problem(o, field, message));
  }

  warn(o: FabricObject, field: string, message: string): void {
    this.warnings.push(this.problem(o, field, message));
  }

  /** Reports a reference to a missing object; returns the object when it resolves. */
  ref(o: FabricObject, field: string, kind: FabricKindName, name: string | undefined): FabricObject | undefined {
    if (name === undefined || name === '') {
      this.error(o, field, `is required (name of a ${kind})`);
      return undefined;
    }
    const target = this.get(kind, name);
    if (target === undefined) this.error(o, field, `references ${kind} ${name}, which is not defined in this fabric`);
    return target;
  }
}

/** The spec of a fabric object as a raw object (empty when absent). */
export function specOf(o: FabricObject): RawObject {
  return asObject(o.object.spec) ?? {};
}
