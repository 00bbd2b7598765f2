"""A claim, its beneficiary, category and documents stay in the member's co-op, whatever writes them."""

from django.db import migrations

SQL = """
CREATE FUNCTION medfund_claim_in_cooperative() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM members_member m WHERE m.id = NEW.member_id AND m.cooperative_id = NEW.cooperative_id) THEN
        RAISE EXCEPTION 'claim % is not in its member''s cooperative', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM medfund_category c WHERE c.id = NEW.category_id AND c.cooperative_id = NEW.cooperative_id) THEN
        RAISE EXCEPTION 'claim % has another cooperative''s category', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM medfund_fundrules r WHERE r.id = NEW.rules_id AND r.cooperative_id = NEW.cooperative_id) THEN
        RAISE EXCEPTION 'claim % has another cooperative''s rules', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.beneficiary_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM members_householdmember h WHERE h.id = NEW.beneficiary_id AND h.member_id = NEW.member_id) THEN
        RAISE EXCEPTION 'claim %''s beneficiary is not of the member''s household', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER medfund_claim_in_cooperative BEFORE INSERT OR UPDATE ON medfund_claim
    FOR EACH ROW EXECUTE FUNCTION medfund_claim_in_cooperative();

CREATE FUNCTION medfund_document_in_cooperative() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM medfund_claim c WHERE c.id = NEW.claim_id AND c.cooperative_id = NEW.cooperative_id) THEN
        RAISE EXCEPTION 'document % is not in its claim''s cooperative', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER medfund_document_in_cooperative BEFORE INSERT ON medfund_claimdocument
    FOR EACH ROW EXECUTE FUNCTION medfund_document_in_cooperative();
"""

REVERSE = """
DROP TRIGGER medfund_document_in_cooperative ON medfund_claimdocument;
DROP FUNCTION medfund_document_in_cooperative();
DROP TRIGGER medfund_claim_in_cooperative ON medfund_claim;
DROP FUNCTION medfund_claim_in_cooperative();
"""


class Migration(migrations.Migration):
    dependencies = [("medfund", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
