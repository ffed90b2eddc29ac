; HwC School, NSIS installer hooks (linked by the Tauri bundler: tauri.conf.json
; bundle.windows.nsis.installerHooks). Silent install for IT:
;   hwc-school-setup.exe /S /RELAY_URL=https://relay.gemeente.nl /OFFICE_KEY=<64 hex>
; writes %ProgramData%\HwC School\config.toml through the installed app
; (hwc-school.exe --installeer-config, which checks both values; a refused value aborts the
; installation with exit code 2), and starts the agent for every user at logon.

!include "FileFunc.nsh"

!macro NSIS_HOOK_POSTINSTALL
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
  Delete "$COMMONAPPDATA\HwC School\config.toml"
  Delete "$COMMONAPPDATA\HwC School\.config.toml.nieuw"
  RMDir "$COMMONAPPDATA\HwC School"
!macroend
