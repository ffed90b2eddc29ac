; HwC School, NSIS installer hooks (linked by the Tauri bundler: tauri.conf.json
; bundle.windows.nsis.installerHooks). Silent install for IT:
;   hwc-school-setup.exe /S /RELAY_URL=https://relay.gemeente.nl /OFFICE_KEY=<64 hex>
;
; Always (with or without values): makes %ProgramData%\HwC School changeable by administrators
; and SYSTEM only and readable by users (by SID, so it works on a Dutch Windows too, where
; "Users" is "Gebruikers"), replacing whatever was there: a folder a user made beforehand
; would otherwise let that user pin a relay of their own. The app trusts a config.toml only
; in such a folder (hwc_hardening::admin_only).
; With values: writes %ProgramData%\HwC School\config.toml through the installed app
; (hwc-school.exe --installeer-config, which checks both values; a refused value aborts the
; installation with exit code 2). Then starts the agent for every user at logon.

!include "FileFunc.nsh"

!macro HWC_RUN_ICACLS ARGS
  nsExec::ExecToLog 'icacls "$COMMONPROGRAMDATA\HwC School" ${ARGS}'
  Pop $R5
  ${If} $R5 != 0
    MessageBox MB_ICONSTOP "De rechten van de instellingenmap konden niet worden gezet (icacls ${ARGS})." /SD IDOK
    SetErrorLevel 2
    Abort
  ${EndIf}
!macroend

!macro NSIS_HOOK_POSTINSTALL
  CreateDirectory "$COMMONPROGRAMDATA\HwC School"
  ; Back to only what ProgramData passes on (drops every explicit entry), then: no inheritance,
  ; SYSTEM and Administrators full control, Users read; owner Administrators.
  !insertmacro HWC_RUN_ICACLS '/reset /T /C /Q'
  !insertmacro HWC_RUN_ICACLS '/inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /T /C /Q'
  !insertmacro HWC_RUN_ICACLS '/setowner *S-1-5-32-544 /T /C /Q'
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/RELAY_URL=" $R1
  ${IfNot} ${Errors}
    ClearErrors
    ${GetOptions} $R0 "/OFFICE_KEY=" $R2
    ${If} ${Errors}
      StrCpy $R2 ""
    ${EndIf}
    ExecWait '"$INSTDIR\hwc-school.exe" --installeer-config "$R1" "$R2"' $R3
    ${If} $R3 != 0
      MessageBox MB_ICONSTOP "De instellingen zijn niet geschreven: controleer RELAY_URL en OFFICE_KEY." /SD IDOK
      SetErrorLevel 2
      Abort
    ${EndIf}
  ${EndIf}
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "HwC School" '"$INSTDIR\hwc-school.exe" --achtergrond'
!macroend

!macro NSIS_HOOK_POSTUNINSTALL
  DeleteRegValue HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "HwC School"
  Delete "$COMMONPROGRAMDATA\HwC School\config.toml"
  Delete "$COMMONPROGRAMDATA\HwC School\.config.toml.nieuw"
  RMDir "$COMMONPROGRAMDATA\HwC School"
!macroend
