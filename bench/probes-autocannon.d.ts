// The part of autocannon 9 the probes load benchmark uses (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
  }
  interface Result {
    requests: { total: number; average: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    /** The measured window, seconds (start to the last 1 s sample). */
    duration: number;
  }
  export default function autocannon(options: Options): Promise<Result>;
}
