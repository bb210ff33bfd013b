SELECT tc.constraint_name, tc.constraint_type, k.column_name, k.referenced_table_name,
    k.referenced_column_name, rc.delete_rule, rc.update_rule, cc.check_clause
FROM information_schema.table_constraints tc
LEFT JOIN information_schema.key_column_usage k ON k.constraint_schema = tc.constraint_schema
    AND k.table_name = tc.table_name AND k.constraint_name = tc.constraint_name
LEFT JOIN information_schema.referential_constraints rc
    ON rc.constraint_schema = tc.constraint_schema AND rc.table_name = tc.table_name
    AND rc.constraint_name = tc.constraint_name
LEFT JOIN information_schema.check_constraints cc ON cc.constraint_schema = tc.constraint_schema
    AND cc.constraint_name = tc.constraint_name AND tc.constraint_type = 'CHECK'
WHERE tc.table_name = ? AND tc.table_schema = COALESCE(?, DATABASE())
