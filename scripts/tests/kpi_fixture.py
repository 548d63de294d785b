"""A small hand-made export set for the KPI tests (scripts/tests/test_kpis.py).

Night 2025-07-15 (July is the current month, Q3 the current quarter). Reps R01 (team
华东一组: customers C1, C2) and R02 (team 华南一组: C3 only — the team with one customer).

Customer timelines (completed orders unless said otherwise; amount CNY, category):

C1 acquired 2024-12-01. Orders 2025-01-10 100,000 software (tier B, new), 2025-02-15
   50,000 hardware (cross-sell), 2025-04-20 30,000 software; a cancelled 2025-05-05 order.
   At risk from 2025-06-19 (last order + 60 days), not yet churned on 07-15.
C2 acquired 2024-12-01, contact_title and email empty (12 of 14 profile fields). Order
   2025-01-05 20,000 software (tier C). At risk 2025-03-06, churned 2025-04-05 (+90 days),
   won back by the 2025-05-10 40,000 order, at risk again 2025-07-09.
C3 acquired 2025-02-01 (owner R02). Orders 2025-03-01 and 2025-03-20, 10,000 services each.
   At risk 2025-05-19, churned 2025-06-18, won back by a 2025-07-01 order of 0 CNY in a new
   category (software).
"""

from __future__ import annotations

from pathlib import Path

from dbt_helpers import write_export

from test_staging import customer

AS_OF = "2025-07-15"
TEAM_EAST = "华东一组"
TEAM_SOUTH = "华南一组"


def _order(oid: str, cid: str, day: str, amount: str, category: str, rep: str, status: str = "completed") -> dict:
    return {"order_id": oid, "customer_id": cid, "order_date": day, "amount": amount, "product_category": category,
            "status": status, "rep_id": rep, "updated_at": f"{day} 12:00:00"}


def _touch(iid: str, cid: str, rep: str, when: str, logged: str, channel: str) -> dict:
    return {"interaction_id": iid, "customer_id": cid, "rep_id": rep, "occurred_at": when, "logged_at": logged,
            "channel": channel, "direction": "outbound", "summary": "跟进"}


def write_kpi_exports(directory: Path) -> Path:
    write_export(directory, "sales_reps", [
        {"rep_id": "R01", "rep_name": "王五", "team": TEAM_EAST, "region": "华东", "role": "account_manager",
         "is_active": "true", "hired_at": "2020-01-01"},
        {"rep_id": "R02", "rep_name": "赵六", "team": TEAM_SOUTH, "region": "华南", "role": "sales_rep",
         "is_active": "true", "hired_at": "2020-01-01"},
        {"rep_id": "S01", "rep_name": "客服甲", "team": TEAM_EAST, "region": "华东", "role": "service_agent",
         "is_active": "true", "hired_at": "2020-01-01"},
    ])
    write_export(directory, "customers", [
        customer("C1", acquired_at="2024-12-01", owner_rep_id="R01"),
        customer("C2", acquired_at="2024-12-01", owner_rep_id="R01", contact_title="", email=""),
        customer("C3", acquired_at="2025-02-01", owner_rep_id="R02"),
    ])
    write_export(directory, "orders", [
        _order("O1", "C1", "2025-01-10", "100000", "software", "R01"),
        _order("O2", "C1", "2025-02-15", "50000", "hardware", "R01"),
        _order("O3", "C1", "2025-04-20", "30000", "software", "R01"),
        _order("O4", "C1", "2025-05-05", "99999", "software", "R01", status="cancelled"),
        _order("O5", "C2", "2025-01-05", "20000", "software", "R01"),
        _order("O6", "C2", "2025-05-10", "40000", "software", "R01"),
        _order("O7", "C3", "2025-03-01", "10000", "services", "R02"),
        _order("O8", "C3", "2025-03-20", "10000", "services", "R02"),
        _order("O9", "C3", "2025-07-01", "0", "software", "R02"),
    ])
    write_export(directory, "interactions", [
        _touch("I1", "C1", "R01", "2025-02-01 10:00:00", "2025-02-01 12:00:00", "visit"),
        _touch("I2", "C1", "R01", "2025-06-20 10:00:00", "2025-06-22 10:00:00", "phone"),
        _touch("I3", "C2", "R01", "2025-03-12 10:00:00", "2025-03-13 10:00:00", "phone"),
        _touch("I4", "C3", "R02", "2025-05-20 10:00:00", "2025-05-20 11:00:00", "email"),
        _touch("I5", "C3", "R02", "2025-03-05 10:00:00", "2025-03-05 10:30:00", "wechat"),
        _touch("I6", "C2", "R01", "2025-05-15 10:00:00", "2025-05-15 18:00:00", "visit"),
    ])
    write_export(directory, "surveys", [
        {"response_id": "S1", "customer_id": "C1", "responded_at": "2025-02-10 10:00:00", "score_overall": "5",
         "nps_score": "10"},
        {"response_id": "S2", "customer_id": "C2", "responded_at": "2025-02-20 10:00:00", "score_overall": "3",
         "nps_score": "6"},
        {"response_id": "S3", "customer_id": "C3", "responded_at": "2025-05-05 10:00:00", "score_overall": "4",
         "nps_score": "8"},
        {"response_id": "S4", "customer_id": "C1", "responded_at": "2025-05-25 10:00:00", "score_overall": "4",
         "nps_score": "9"},
    ])
    write_export(directory, "tickets", [
        {"ticket_id": "T1", "customer_id": "C1", "ticket_type": "complaint", "category": "service", "severity": "high",
         "opened_at": "2025-03-03 09:00:00", "first_response_at": "2025-03-03 10:00:00",
         "resolved_at": "2025-03-03 20:00:00", "status": "resolved", "assignee_rep_id": "S01"},
        {"ticket_id": "T2", "customer_id": "C3", "ticket_type": "complaint", "category": "logistics",
         "severity": "medium", "opened_at": "2025-03-10 09:00:00", "first_response_at": "2025-03-10 12:00:00",
         "resolved_at": "2025-03-11 08:00:00", "status": "resolved", "assignee_rep_id": "S01"},
        {"ticket_id": "T3", "customer_id": "C2", "ticket_type": "complaint", "category": "price", "severity": "low",
         "opened_at": "2025-04-02 09:00:00", "first_response_at": "2025-04-02 09:30:00", "status": "open",
         "assignee_rep_id": "S01"},
        {"ticket_id": "T4", "customer_id": "C1", "ticket_type": "inquiry", "category": "other", "severity": "low",
         "opened_at": "2025-04-03 09:00:00", "first_response_at": "2025-04-03 10:00:00",
         "resolved_at": "2025-04-03 11:00:00", "status": "closed", "assignee_rep_id": "S01"},
    ])
    write_export(directory, "leads", [
        {"lead_id": "L1", "created_at": "2025-01-05 10:00:00", "source": "referral", "grade": "A",
         "owner_rep_id": "R01", "first_contacted_at": "2025-01-05 20:00:00", "status": "converted",
         "converted_customer_id": "C2", "converted_at": "2025-02-01 10:00:00", "updated_at": "2025-02-01 10:00:00"},
        {"lead_id": "L2", "created_at": "2025-01-20 10:00:00", "source": "online", "grade": "B",
         "owner_rep_id": "R01", "first_contacted_at": "2025-01-23 10:00:00", "status": "open",
         "updated_at": "2025-01-23 10:00:00"},
        {"lead_id": "L3", "created_at": "2025-02-10 10:00:00", "source": "event", "grade": "C",
         "owner_rep_id": "R02", "status": "disqualified", "updated_at": "2025-03-01 10:00:00"},
    ])
    write_export(directory, "opportunities", [
        {"opportunity_id": "P1", "customer_id": "C1", "owner_rep_id": "R01", "stage": "won", "amount": "100000",
         "created_at": "2025-01-02 10:00:00", "proposal_sent_at": "2025-01-03 10:00:00",
         "closed_at": "2025-02-11 10:00:00", "updated_at": "2025-02-11 10:00:00"},
        {"opportunity_id": "P2", "customer_id": "C2", "owner_rep_id": "R01", "stage": "won", "amount": "20000",
         "created_at": "2025-01-10 10:00:00", "proposal_sent_at": "2025-01-11 10:00:00",
         "closed_at": "2025-02-25 16:00:00", "updated_at": "2025-02-25 16:00:00"},
        {"opportunity_id": "P3", "customer_id": "C3", "owner_rep_id": "R02", "stage": "lost", "amount": "5000",
         "created_at": "2025-02-01 10:00:00", "proposal_sent_at": "2025-02-02 10:00:00",
         "closed_at": "2025-02-21 10:00:00", "updated_at": "2025-02-21 10:00:00"},
        {"opportunity_id": "P4", "customer_id": "C1", "owner_rep_id": "R01", "stage": "won", "amount": "30000",
         "created_at": "2025-04-01 10:00:00", "proposal_sent_at": "2025-04-02 10:00:00",
         "closed_at": "2025-05-11 09:00:00", "updated_at": "2025-05-11 09:00:00"},
    ])
    write_export(directory, "campaigns", [
        {"campaign_id": "CP1", "campaign_name": "老客户回归专享优惠", "campaign_type": "winback_offer",
         "target_segment": "satisfaction_risk", "owner_rep_id": "R01", "prep_started_on": "2025-04-11",
         "planned_prep_days": "25", "event_date": "2025-05-01", "cost": "10000", "goal_metric": "reactivation_rate",
         "goal_target": "0.5"},
    ])
    write_export(directory, "campaign_members", [
        {"campaign_id": "CP1", "customer_id": "C2", "invited_at": "2025-04-20 10:00:00",
         "opened_at": "2025-04-20 12:00:00", "registered_at": "2025-04-21 10:00:00", "attended": "true",
         "feedback_score": "5", "feedback_negative": "false"},
        {"campaign_id": "CP1", "customer_id": "C3", "invited_at": "2025-04-20 10:00:00", "attended": "false"},
    ])
    return directory
