// The CLI's version, also written into every bundle's manifest.
export const VERSION = "0.1.0";
