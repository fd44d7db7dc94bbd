/**
 * Loading a wasm-bindgen module once per page, shared by the shopper's module and the
 * shop's tools module.
 * @module
 */

/** Where to load a wasm module from, when the default (beside its glue) does not suit. */
export type WasmSource = URL | string | Request | Response | BufferSource | WebAssembly.Module;

/** A source, or a function giving one, called only when the module is first needed. */
export type LazyWasmSource = WasmSource | (() => Promise<WasmSource>);

type Init = (source?: { module_or_path: WasmSource }) => Promise<unknown>;

/** Instantiates a module at most once; after a failure (a network error) the next call retries. */
export class ModuleLoader {
  #loading: Promise<unknown> | undefined;
  #ready = false;

  constructor(readonly init: Init) {}

  load(source: LazyWasmSource | undefined): Promise<unknown> {
    const given = typeof source === 'function' ? source() : source;
    this.#loading ??= Promise.resolve(given).then((resolved) => this.init(resolved === undefined ? undefined : { module_or_path: resolved })).then(
      (exports) => {
        this.#ready = true;
        return exports;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  /** Whether the module can be called (loaded, or instantiated synchronously). */
  get ready(): boolean {
    return this.#ready;
  }

  /** Records a synchronous instantiation (`initSync`). */
  markReady(): void {
    this.#ready = true;
  }
}
