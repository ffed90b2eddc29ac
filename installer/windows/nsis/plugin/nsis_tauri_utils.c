/* HwC School: a stand-in for Tauri's nsis_tauri_utils.dll, the NSIS plugin (x86-unicode) that
   Tauri's installer template (../tauri/installer.nsi, utils.nsh) calls. The bundler downloads
   Tauri's own DLL from GitHub, which the build machines cannot reach, so `cargo xtask package
   --windows` builds this one (xtask/src/package/nsis.rs) with Debian's i686-w64-mingw32-gcc
   against Debian's nsis-pluginapi. It has the three calls the template makes, with the same
   stack order and results as Tauri's plugin (nsis-tauri-utils 0.5):
     SemverCompare v1 v2       -> 1 (v1 newer), 0 (same), -1 (v1 older); a valid version is
                                  newer than an invalid one, two invalid ones are the same
     StrReplace string from to -> string with every `from` replaced by `to`
     RunAsUser program args    -> starts the program unelevated (see below); 1 or 0
   Written for this project (not copied from Tauri's Rust source). */
#define UNICODE
#define _UNICODE
#include <windows.h>
#include <stdlib.h>
#include <wchar.h>
#include <nsis/pluginapi.h>

#define PLUGIN_FN(name) __declspec(dllexport) void __cdecl name(HWND hwndParent, int string_size, LPTSTR variables, stack_t **stacktop, extra_parameters *extra)

/* ---- semver 2.0.0 parse/compare ---- */
typedef struct { unsigned long long maj, min, pat; const wchar_t *pre; size_t prelen; } semver;

static int parse_num(const wchar_t **p, unsigned long long *out) {
  const wchar_t *s = *p;
  if (*s < L'0' || *s > L'9') return 0;
  if (*s == L'0' && s[1] >= L'0' && s[1] <= L'9') return 0; /* no leading zero */
  unsigned long long v = 0;
  while (*s >= L'0' && *s <= L'9') { v = v * 10 + (unsigned)(*s - L'0'); s++; }
  *out = v; *p = s; return 1;
}
static int ident_ok(const wchar_t *s, size_t n, int allow_leading_zero) {
  if (n == 0) return 0;
  int numeric = 1;
  for (size_t i = 0; i < n; i++) {
    wchar_t c = s[i];
    if (c >= L'0' && c <= L'9') continue;
    if ((c >= L'a' && c <= L'z') || (c >= L'A' && c <= L'Z') || c == L'-') { numeric = 0; continue; }
    return 0;
  }
  if (numeric && !allow_leading_zero && n > 1 && s[0] == L'0') return 0;
  return 1;
}
static int idents_ok(const wchar_t *s, size_t n, int build) {
  size_t start = 0;
  for (size_t i = 0; i <= n; i++)
    if (i == n || s[i] == L'.') { if (!ident_ok(s + start, i - start, build)) return 0; start = i + 1; }
  return 1;
}
static int parse_semver(const wchar_t *s, semver *v) {
  const wchar_t *p = s;
  if (!parse_num(&p, &v->maj) || *p++ != L'.') return 0;
  if (!parse_num(&p, &v->min) || *p++ != L'.') return 0;
  if (!parse_num(&p, &v->pat)) return 0;
  v->pre = L""; v->prelen = 0;
  if (*p == L'-') {
    p++; v->pre = p;
    while (*p && *p != L'+') p++;
    v->prelen = (size_t)(p - v->pre);
    if (!idents_ok(v->pre, v->prelen, 0)) return 0;
  }
  if (*p == L'+') { p++; if (!idents_ok(p, wcslen(p), 1)) return 0; p += wcslen(p); }
  return *p == 0;
}
static int is_num(const wchar_t *s, size_t n) { for (size_t i = 0; i < n; i++) if (s[i] < L'0' || s[i] > L'9') return 0; return 1; }
static int cmp_pre(const semver *a, const semver *b) {
  if (a->prelen == 0 || b->prelen == 0) return (a->prelen == 0) - (b->prelen == 0); /* release > pre-release */
  size_t i = 0, j = 0;
  for (;;) {
    if (i >= a->prelen && j >= b->prelen) return 0;
    if (i >= a->prelen) return -1;
    if (j >= b->prelen) return 1;
    size_t ei = i, ej = j;
    while (ei < a->prelen && a->pre[ei] != L'.') ei++;
    while (ej < b->prelen && b->pre[ej] != L'.') ej++;
    int na = is_num(a->pre + i, ei - i), nb = is_num(b->pre + j, ej - j);
    if (na && nb) {
      if (ei - i != ej - j) return ei - i < ej - j ? -1 : 1;
      int c = wcsncmp(a->pre + i, b->pre + j, ei - i); if (c) return c < 0 ? -1 : 1;
    } else if (na != nb) return na ? -1 : 1;
    else {
      size_t la = ei - i, lb = ej - j, m = la < lb ? la : lb;
      int c = wcsncmp(a->pre + i, b->pre + j, m); if (c) return c < 0 ? -1 : 1;
      if (la != lb) return la < lb ? -1 : 1;
    }
    i = ei + 1; j = ej + 1;
    if (ei == a->prelen) i = a->prelen;
    if (ej == b->prelen) j = b->prelen;
  }
}
static int semver_compare(const wchar_t *s1, const wchar_t *s2) {
  semver a, b; int oa = parse_semver(s1, &a), ob = parse_semver(s2, &b);
  if (!oa || !ob) return oa - ob;  /* valid > invalid; both invalid: 0 */
  if (a.maj != b.maj) return a.maj < b.maj ? -1 : 1;
  if (a.min != b.min) return a.min < b.min ? -1 : 1;
  if (a.pat != b.pat) return a.pat < b.pat ? -1 : 1;
  return cmp_pre(&a, &b);
}

static wchar_t *alloc_str(void) { return (wchar_t *)GlobalAlloc(GPTR, (g_stringsize + 1) * sizeof(wchar_t)); }

/* SemverCompare v1 v2 -> pushes 1 (v1 newer), 0 (same), -1 (v1 older) */
PLUGIN_FN(SemverCompare) {
  EXDLL_INIT();
  wchar_t *a = alloc_str(), *b = alloc_str();
  if (popstring(a)) a[0] = 0;
  if (popstring(b)) b[0] = 0;
  pushint(semver_compare(a, b));
  GlobalFree(a); GlobalFree(b);
}

/* StrReplace string from to -> pushes string with every `from` replaced by `to` */
PLUGIN_FN(StrReplace) {
  EXDLL_INIT();
  wchar_t *s = alloc_str(), *from = alloc_str(), *to = alloc_str(), *out = alloc_str();
  if (popstring(s)) s[0] = 0;
  if (popstring(from)) from[0] = 0;
  if (popstring(to)) to[0] = 0;
  size_t fl = wcslen(from), tl = wcslen(to), o = 0, cap = g_stringsize;
  for (const wchar_t *p = s; *p && o < cap; ) {
    if (fl && wcsncmp(p, from, fl) == 0) {
      for (size_t k = 0; k < tl && o < cap; k++) out[o++] = to[k];
      p += fl;
    } else out[o++] = *p++;
  }
  out[o < cap ? o : cap] = 0;
  pushstring(out);
  GlobalFree(s); GlobalFree(from); GlobalFree(to); GlobalFree(out);
}

/* RunAsUser program args -> starts `"program" args` with the desktop shell (explorer) as
   parent process, so it gets the shell's unelevated token; pushes 1 on success, 0 otherwise. */
PLUGIN_FN(RunAsUser) {
  EXDLL_INIT();
  wchar_t *prog = alloc_str(), *args = alloc_str();
  if (popstring(prog)) prog[0] = 0;
  if (popstring(args)) args[0] = 0;
  size_t n = wcslen(prog) + wcslen(args) + 4; /* "prog" args + NUL */
  wchar_t *cmd = (wchar_t *)GlobalAlloc(GPTR, n * sizeof(wchar_t));
  if (!cmd) { pushint(0); GlobalFree(prog); GlobalFree(args); return; }
  lstrcpyW(cmd, L"\"");
  lstrcatW(cmd, prog);
  lstrcatW(cmd, L"\"");
  if (args[0]) { lstrcatW(cmd, L" "); lstrcatW(cmd, args); }
  int ok = 0;
  DWORD pid = 0;
  HWND shell = GetShellWindow();
  if (shell) GetWindowThreadProcessId(shell, &pid);
  HANDLE parent = pid ? OpenProcess(PROCESS_CREATE_PROCESS, FALSE, pid) : NULL;
  STARTUPINFOEXW si; PROCESS_INFORMATION pi;
  ZeroMemory(&si, sizeof si); ZeroMemory(&pi, sizeof pi);
  si.StartupInfo.cb = sizeof si;
  SIZE_T size = 0;
  if (parent) {
    InitializeProcThreadAttributeList(NULL, 1, 0, &size);
    si.lpAttributeList = (LPPROC_THREAD_ATTRIBUTE_LIST)GlobalAlloc(GPTR, size);
    if (si.lpAttributeList && InitializeProcThreadAttributeList(si.lpAttributeList, 1, 0, &size) &&
        UpdateProcThreadAttribute(si.lpAttributeList, 0, PROC_THREAD_ATTRIBUTE_PARENT_PROCESS, &parent, sizeof parent, NULL, NULL)) {
      ok = CreateProcessW(NULL, cmd, NULL, NULL, FALSE, CREATE_NEW_PROCESS_GROUP | CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT,
                          NULL, NULL, &si.StartupInfo, &pi);
    }
    if (si.lpAttributeList) { DeleteProcThreadAttributeList(si.lpAttributeList); GlobalFree(si.lpAttributeList); }
    CloseHandle(parent);
  } else {
    /* no shell (e.g. a service session) or it cannot be opened: start it the plain way */
    STARTUPINFOW s1; ZeroMemory(&s1, sizeof s1); s1.cb = sizeof s1;
    ok = CreateProcessW(NULL, cmd, NULL, NULL, FALSE, CREATE_NEW_PROCESS_GROUP | CREATE_UNICODE_ENVIRONMENT, NULL, NULL, &s1, &pi);
  }
  if (ok) { CloseHandle(pi.hThread); CloseHandle(pi.hProcess); }
  pushint(ok ? 1 : 0);
  GlobalFree(cmd); GlobalFree(prog); GlobalFree(args);
}

BOOL WINAPI DllMain(HINSTANCE h, DWORD r, LPVOID l) { (void)h; (void)r; (void)l; return TRUE; }
