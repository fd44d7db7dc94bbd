/**
 * Loading a wasm-bindgen module once per page, shared by the shopper's module and the
 * shop's tools module.
 * @module
 */

/** Where to load a wasm module from, when the default (beside its glue) does not suit. */
export type WasmSource = URL | string | Request | Response | BufferSource | WebAssembly.Module;

type Init = (source?: { module_or_path: WasmSource }) => Promise<unknown>;

/** Instantiates a module at most once; after a failure (a network error) the next call retries. */
export class ModuleLoader {
  #loading: Promise<unknown> | undefined;
  #ready = false;

  constructor(readonly init: Init) {}

  load(source: WasmSource | undefined): Promise<unknown> {
    this.#loading ??= this.init(source === undefined ? undefined : { module_or_path: source }).then(
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
