/* For wine only: Rust's standard library (1.78 and later) takes its random numbers from
 * ProcessPrng in bcryptprimitives.dll, which Windows 10 and 11 have and wine 8 has not; every
 * Rust program would stop at start under wine without it. This stand-in asks BCryptGenRandom,
 * which wine has, for the same bytes. `cargo xtask windows` builds it with MinGW and puts it
 * in the wine prefix's system32; nothing of it ships. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x7fffffffUL ? 0x7fffffffUL : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
