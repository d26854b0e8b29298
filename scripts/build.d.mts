/** Types of scripts/build.mjs, for the tests that check the image and manifests against it. */
export declare const root: string;
/** The bundle's file name inside the output directory. */
export declare const ENTRY: string;
export declare function isStale(outdir?: string): boolean;
export declare function build(outdir?: string): Promise<{ outfile: string; imports: string[] }>;
export declare function isWebStale(outdir?: string): boolean;
export declare function buildWeb(outdir?: string): Promise<void>;
