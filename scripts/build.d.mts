/** Types of scripts/build.mjs, for the tests that check the image and manifests against it. */
export declare const root: string;
/** The bundle's file name inside the output directory. */
export declare const ENTRY: string;
/** Node options every start of the bundle passes (Dockerfile ENTRYPOINT, scripts/start.mjs, bench:graph). */
export declare const NODE_FLAGS: readonly string[];
/** The dependencies bundled into the artifact rather than loaded from node_modules. */
export declare const INLINE: readonly string[];
export declare function isStale(outdir?: string): boolean;
export declare function build(outdir?: string): Promise<{ outfile: string; imports: string[] }>;
export declare function isWebStale(outdir?: string): boolean;
export declare function buildWeb(outdir?: string): Promise<void>;
