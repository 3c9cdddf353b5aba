@echo off
rem greencli 每晚汇总（供“任务计划程序”调用）。本文件为 GBK 编码，与中文 Windows 的命令提示符一致。
rem 放在工作文件夹（例如 D:\绿色社区）中，与“收件箱”文件夹、社区名单.xlsx 同级；每年 1 月修改 --year。
cd /d "%~dp0"
if not exist "日志" mkdir "日志"
py -m greencli rollup --inbox 收件箱 --year 2022 --roster 社区名单.xlsx --db greencli.db --out 绿色社区汇总.xlsx --log "日志\rollup.log" --wait 600
exit /b %ERRORLEVEL%
