// The embedded PostgreSQL's shared_buffers follow the machine's memory within PostgreSQL's default and 1GB;
// its wal_buffers follow shared_buffers within 16 and 64MB.
import { describe, expect, it } from "vitest";
import { embeddedSharedBuffersMb, embeddedWalBuffersMb } from "../../app/db/embedded-postgres.server.ts";

const GiB = 2 ** 30;

describe("embeddedSharedBuffersMb", () => {
  it("takes an eighth of the memory", () => {
    expect(embeddedSharedBuffersMb(4 * GiB)).toBe(512);
    expect(embeddedSharedBuffersMb(2 * GiB)).toBe(256);
  });

  it("never goes below PostgreSQL's own default of 128MB", () => {
    expect(embeddedSharedBuffersMb(512 * 2 ** 20)).toBe(128);
    expect(embeddedSharedBuffersMb(0)).toBe(128);
  });

  it("stops at 1GB on large machines", () => {
    expect(embeddedSharedBuffersMb(8 * GiB)).toBe(1024);
    expect(embeddedSharedBuffersMb(24 * GiB)).toBe(1024);
    expect(embeddedSharedBuffersMb(256 * GiB)).toBe(1024);
  });
});

describe("embeddedWalBuffersMb", () => {
  it("takes a sixteenth of shared_buffers, between 16 and 64MB", () => {
    expect(embeddedWalBuffersMb(1024)).toBe(64);
    expect(embeddedWalBuffersMb(512)).toBe(32);
    expect(embeddedWalBuffersMb(128)).toBe(16);
    expect(embeddedWalBuffersMb(embeddedSharedBuffersMb(24 * GiB))).toBe(64);
  });
});
