"""Every paper form of the two seeds, one module per form, named after it.

Each module declares one form as an :class:`app.exports.grid.Grid`; the page
(``exports/grid.html``), the workbook (:mod:`app.exports.xlsx`) and the Word
document (:mod:`app.exports.docx`) are all drawn from that one grid.

=================================  ==============================================
seed 000 附件1 行政职权目录总表      :mod:`.s000_a1_catalogue_summary`
seed 000 附件2 行政职权目录分表      :mod:`.s000_a2_catalogue_category`
seed 000 附件5 个人廉政风险点查找表  :mod:`.s000_a5_person_finding`
seed 000 附件6 部门廉政风险点查找表  :mod:`.s000_a6_section_finding`
seed 000 附件7 部门…登记表          :mod:`.s000_a7_section_register`
seed 000 附件8 个人…登记表          :mod:`.s000_a8_person_register`
seed 000 附件9 汇总表（部门）        :mod:`.s000_a9_summary`
seed 002 附件1 推进计划表            :mod:`.s002_a1_plan`
seed 002 附件2 职权目录              :mod:`.s002_a2_directory`
seed 002 附件3 单位廉政风险登记表    :mod:`.s002_a3_unit_register`
seed 002 附件4 内设部门廉政风险登记表 :mod:`.s002_a4_section_register`
seed 002 附件5 个人岗位廉政风险登记表 :mod:`.s002_a5_person_register`
seed 002 附件6 廉政风险汇总表        :mod:`.s002_a6_summary`
廉政档案 (seed 000 四(四)4)          :mod:`.archive`
整改通知书, 自查报告报送情况          :mod:`.notice`
=================================  ==============================================
"""
