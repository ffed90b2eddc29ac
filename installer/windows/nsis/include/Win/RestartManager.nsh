; Restart Manager macros and constants for Debian's NSIS 3.08, which lacks
; Include\Win\RestartManager.nsh (Tauri's utils.nsh includes it). Written for the calls that
; Tauri 2's utils.nsh makes; registers other than the output variable are preserved.
; Written for HwC School (see ../../NOTICE.md); makensis finds it through -X!addincludedir.
!ifndef HWC_WIN_RESTARTMANAGER_NSH
!define HWC_WIN_RESTARTMANAGER_NSH
!include LogicLib.nsh

; RestartManager.h
!define /ifndef CCH_RM_SESSION_KEY 32
!define /ifndef RmForceShutdown 0x1
!define /ifndef RmShutdownOnlyRegistered 0x10
!define /ifndef RmRebootReasonNone 0
!define /ifndef RmRebootReasonPermissionDenied 0x1
!define /ifndef RmRebootReasonSessionMismatch 0x2
!define /ifndef RmRebootReasonCriticalProcess 0x4
!define /ifndef RmRebootReasonCriticalService 0x8
!define /ifndef RmRebootReasonDetectedSelf 0x10

; outvar: the session handle, or "" when no session could be started
!macro RestartManager_StartSession outvar
  Push $0
  Push $1
  System::Call 'RSTRTMGR::RmStartSession(*i -1 .r1, i 0, w) i .r0'
  ${If} $0 = 0
    StrCpy $0 $1
  ${Else}
    StrCpy $0 ""
  ${EndIf}
  Pop $1
  Exch $0
  Pop ${outvar}
!macroend

; $0: the Win32 error code of RmRegisterResources (0 = registered)
!macro RestartManager_RegisterFile handle path
  System::Call 'RSTRTMGR::RmRegisterResources(i ${handle}, i 1, *w "${path}", i 0, p 0, i 0, p 0) i .r0'
!macroend

!macro RestartManager_Shutdown handle
  System::Call 'RSTRTMGR::RmShutdown(i ${handle}, i ${RmForceShutdown}, p 0)'
!macroend

!macro RestartManager_Restart handle
  System::Call 'RSTRTMGR::RmRestart(i ${handle}, i 0, p 0)'
!macroend

!macro RestartManager_EndSession handle
  System::Call 'RSTRTMGR::RmEndSession(i ${handle})'
!macroend
!endif
