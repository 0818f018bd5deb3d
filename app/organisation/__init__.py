"""单位、内设部门(科室)、岗位、工作人员 and who supervises which section."""
