/** Growable typed-array buffers (amortized doubling), for columns built one value at a time. */
type TypedArray = Int32Array | Float32Array | Float64Array;
type Ctor<T extends TypedArray> = { new (n: number): T };

export class Grow<T extends TypedArray> {
  a: T;
  n = 0;
  constructor(
    private readonly ctor: Ctor<T>,
    initial = 1024,
  ) {
    this.a = new ctor(initial);
  }

  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new this.ctor(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }

  /** The values pushed so far (a view, not a copy). */
  view(): T {
    return this.a.subarray(0, this.n) as T;
  }
}

export const growInt32 = (): Grow<Int32Array> => new Grow(Int32Array);
export const growFloat32 = (): Grow<Float32Array> => new Grow(Float32Array);
export const growFloat64 = (): Grow<Float64Array> => new Grow(Float64Array);
