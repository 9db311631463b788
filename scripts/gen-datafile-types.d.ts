/** Types of scripts/gen-datafile-types.js (used by the drift test). */
export declare const OUTPUT: string;
export declare const TYPES: Readonly<Record<string, string>>;
export declare function generate(): Promise<string>;
