"""Batch inference and batch segment jobs: JSON Lines in a local S3, request checks, line-level errors."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from tests.recommenders.contract import contract_dataset
from workbench.personalize import LocalS3, PersonalizeRuntime, S3PathError
from workbench.recommenders import ItemAffinity, ItemAttributeAffinity, Popularity, TrendingNow
from workbench.recommenders.sims import SIMS

ROLE = "arn:aws:iam::000000000000:role/PersonalizeBatch"


@pytest.fixture(scope="module")
def data():
    return contract_dataset(seed=11, n_users=40, n_items=30)


def _write(root, key, lines):
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def _read(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def _job(name, version, inp, out, **extra):
    return dict(jobName=name, solutionVersionArn=version, roleArn=ROLE,
                jobInput={"s3DataSource": {"path": inp}}, jobOutput={"s3DataDestination": {"path": out}}, **extra)


def test_batch_inference_writes_recommended_items_and_scores_per_user(tmp_path, data):
    interactions, items, users = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    model = Popularity().fit(interactions, items=items)
    version = rt.create_solution_version(model, name="pop")["solutionVersionArn"]
    assert version.startswith("arn:aws:personalize:us-east-1:000000000000:solution/pop/")
    _write(tmp_path, "bucket/in/users.json", [{"userId": "user000"}, {"userId": "user001"}, "not json", [1, 2]])
    arn = rt.create_batch_inference_job(**_job("weekly-mail", version, "s3://bucket/in/", "s3://bucket/out/",
                                               numResults=5))["batchInferenceJobArn"]
    lines = _read(tmp_path / "bucket/out/users.json.out")
    assert len(lines) == 4  # nothing dropped: the two bad lines come back with their error
    first = lines[0]
    assert first["input"] == {"userId": "user000"} and first["error"] is None
    assert len(first["output"]["recommendedItems"]) == 5 and len(first["output"]["scores"]) == 5
    expected = model.recommend(["user000"], n=5, exclude_seen=False)["ITEM_ID"].tolist()
    assert first["output"]["recommendedItems"] == expected
    assert lines[2]["output"] is None and "users.json line 3: not a JSON object" in lines[2]["error"]
    assert "must be a JSON object" in lines[3]["error"]
    job = rt.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"]
    assert (job["linesRead"], job["linesAnswered"], job["linesFailed"], job["status"]) == (4, 2, 2, "ACTIVE")


def test_batch_inference_defaults_to_25_results_and_reads_every_file_of_a_prefix(tmp_path, data):
    interactions, items, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    version = rt.create_solution_version(Popularity().fit(interactions, items=items))["solutionVersionArn"]
    _write(tmp_path, "b/in/part-1.json", [{"userId": "user000"}])
    _write(tmp_path, "b/in/part-2.json", [{"userId": "user002"}])
    _write(tmp_path, "b/in/other.json", [{"userId": "user003"}])
    rt.create_batch_inference_job(**_job("j", version, "s3://b/in/part", "s3://b/out/"))
    assert sorted(p.name for p in (tmp_path / "b/out").iterdir()) == ["part-1.json.out", "part-2.json.out"]
    assert len(_read(tmp_path / "b/out/part-1.json.out")[0]["output"]["recommendedItems"]) == 25


def test_related_items_batch_reads_item_ids(tmp_path, data):
    interactions, items, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    version = rt.create_solution_version(SIMS(min_cointeraction_count=1).fit(interactions, items=items))
    _write(tmp_path, "b/in/items.json", [{"itemId": "item003"}])
    rt.create_batch_inference_job(**_job("sims", version["solutionVersionArn"], "s3://b/in/items.json", "s3://b/o/",
                                         numResults=3))
    line = _read(tmp_path / "b/o/items.json.out")[0]
    assert line["input"] == {"itemId": "item003"} and len(line["output"]["recommendedItems"]) == 3
    assert "item003" not in line["output"]["recommendedItems"]


def test_batch_segment_job_lists_users_per_item_and_reports_untrained_items(tmp_path, data):
    interactions, items, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    model = ItemAffinity(solver="cholesky", factors=4).fit(interactions, items=items)
    version = rt.create_solution_version(model, name="affinity")["solutionVersionArn"]
    trained = interactions["ITEM_ID"].iloc[0]
    _write(tmp_path, "b/seg/items.json", [{"itemId": trained}, {"itemId": "no-such-item"}, {"userId": "user000"}])
    arn = rt.create_batch_segment_job(**_job("hiking-mail", version, "s3://b/seg/items.json", "s3://b/seg-out/",
                                             numResults=7))["batchSegmentJobArn"]
    lines = _read(tmp_path / "b/seg-out/items.json.out")
    assert lines[0] == {"input": {"itemId": trained},
                        "output": {"recommendedUsers": model.segment([trained], n=7)["USER_ID"].tolist()}}
    assert len(lines[0]["output"]["recommendedUsers"]) == 7
    assert lines[1]["output"] is None and "no interactions in the training data" in lines[1]["error"]
    assert "need a non-empty string 'itemId'" in lines[2]["error"]
    job = rt.describe_batch_segment_job(batchSegmentJobArn=arn)["batchSegmentJob"]
    assert (job["linesRead"], job["linesAnswered"], job["linesFailed"]) == (3, 1, 2)


def test_attribute_segment_job_and_its_ten_query_limit(tmp_path, data):
    interactions, items, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    model = ItemAttributeAffinity(solver="cholesky", factors=4).fit(interactions, items=items)
    version = rt.create_solution_version(model)["solutionVersionArn"]
    category = items["CATEGORY_L1"].iloc[0]
    query = f'ITEMS.CATEGORY_L1 = "{category}"'
    _write(tmp_path, "b/q/one.json", [{"itemAttributes": query}])
    rt.create_batch_segment_job(**_job("attr", version, "s3://b/q/one.json", "s3://b/q-out/", numResults=4))
    line = _read(tmp_path / "b/q-out/one.json.out")[0]
    assert line == {"itemAttributes": query,
                    "output": {"recommendedUsers": model.segment_attributes(query, n=4)["USER_ID"].tolist()}}
    _write(tmp_path, "b/q/many.json", [{"itemAttributes": query}] * 11)
    with pytest.raises(ClientError, match="at most 10 per input file"):
        rt.create_batch_segment_job(**_job("attr2", version, "s3://b/q/many.json", "s3://b/q-out/"))


def test_each_job_refuses_the_other_kind_of_solution_version(tmp_path, data):
    interactions, items, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    _write(tmp_path, "b/in.json", [{"userId": "user000"}])
    segments = rt.create_solution_version(ItemAffinity(solver="cholesky", factors=4).fit(interactions))
    popular = rt.create_solution_version(Popularity().fit(interactions))
    trending = rt.create_solution_version(TrendingNow().fit(interactions))
    with pytest.raises(ClientError, match="USER_SEGMENTATION recipe: it makes user segments"):
        rt.create_batch_inference_job(**_job("a", segments["solutionVersionArn"], "s3://b/in.json", "s3://b/o/"))
    with pytest.raises(ClientError, match="Trending-Now has no batch recommendations"):
        rt.create_batch_inference_job(**_job("b", trending["solutionVersionArn"], "s3://b/in.json", "s3://b/o/"))
    with pytest.raises(ClientError, match="batch segment jobs need one"):
        rt.create_batch_segment_job(**_job("c", popular["solutionVersionArn"], "s3://b/in.json", "s3://b/o/"))


def test_requests_are_checked_against_the_service_model_and_the_local_s3(tmp_path, data):
    interactions, _, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    version = rt.create_solution_version(Popularity().fit(interactions))["solutionVersionArn"]
    bad = _job("j", version, "s3://b/in.json", "s3://b/o/")
    del bad["roleArn"]
    with pytest.raises(ParamValidationError, match="roleArn"):
        rt.create_batch_inference_job(**bad)
    with pytest.raises(ClientError, match="ResourceNotFoundException|does not exist"):
        rt.create_batch_inference_job(**_job("j", version + "x", "s3://b/in.json", "s3://b/o/"))
    with pytest.raises(S3PathError, match="no input file at 's3://b/missing.json'"):
        rt.create_batch_inference_job(**_job("j", version, "s3://b/missing.json", "s3://b/o/"))
    with pytest.raises(ClientError, match="has no local S3"):
        PersonalizeRuntime().create_batch_inference_job(**_job("j", "arn:aws:personalize:us-east-1:0:solution/x/1",
                                                               "s3://b/in.json", "s3://b/o/"))
    _write(tmp_path, "b/in.json", [{"userId": "user000"}])
    rt.create_batch_inference_job(**_job("j", version, "s3://b/in.json", "s3://b/o/"))
    with pytest.raises(ClientError, match="already exists"):
        rt.create_batch_inference_job(**_job("j", version, "s3://b/in.json", "s3://b/o/"))


def test_local_s3_maps_buckets_and_refuses_paths_outside_them(tmp_path):
    s3 = LocalS3(tmp_path)
    assert s3.path("s3://bucket/a/b.json", "p") == tmp_path / "bucket/a/b.json"
    for bad in ("https://x/y", "s3://", "s3:///k", "s3://b/../etc"):
        with pytest.raises(S3PathError):
            s3.path(bad, "p")


def test_line_numbers_count_blank_lines_and_sub_folders_are_read_with_their_own_answer_files(tmp_path, data):
    interactions, items, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    version = rt.create_solution_version(Popularity().fit(interactions))["solutionVersionArn"]
    _write(tmp_path, "b/in/users.json", [{"userId": "user000"}, "", "", "not json"])
    _write(tmp_path, "b/in/2026/users.json", [{"userId": "user001"}])  # same file name, another folder
    arn = rt.create_batch_inference_job(**_job("j", version, "s3://b/in/", "s3://b/out/", numResults=2))[
        "batchInferenceJobArn"]
    top = _read(tmp_path / "b/out/users.json.out")
    assert "users.json line 4: not a JSON object" in top[1]["error"]
    assert _read(tmp_path / "b/out/2026/users.json.out")[0]["input"] == {"userId": "user001"}
    assert rt.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"]["linesRead"] == 3


def test_output_inside_the_input_prefix_or_over_earlier_answers_is_refused_and_frees_the_name(tmp_path, data):
    interactions, _, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    version = rt.create_solution_version(Popularity().fit(interactions))["solutionVersionArn"]
    _write(tmp_path, "b/in/users.json", [{"userId": "user000"}])
    with pytest.raises(S3PathError, match="lies under the input path"):
        rt.create_batch_inference_job(**_job("j", version, "s3://b/in/", "s3://b/in/out/"))
    rt.create_batch_inference_job(**_job("j", version, "s3://b/in/", "s3://b/out/"))  # the refused job freed "j"
    with pytest.raises(S3PathError, match="already exists"):
        rt.create_batch_inference_job(**_job("k", version, "s3://b/in/", "s3://b/out/"))
    with pytest.raises(ClientError, match="already exists"):
        rt.create_batch_inference_job(**_job("j", version, "s3://b/in/", "s3://b/out2/"))


def test_item_affinity_takes_at_most_500_item_ids_per_file_and_non_utf8_input_names_the_file(tmp_path, data):
    interactions, _, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    version = rt.create_solution_version(ItemAffinity(solver="cholesky", factors=4).fit(interactions))[
        "solutionVersionArn"]
    _write(tmp_path, "b/ok.json", [{"itemId": "item001"}] * 500)
    rt.create_batch_segment_job(**_job("ok", version, "s3://b/ok.json", "s3://b/o1/", numResults=3))
    _write(tmp_path, "b/big.json", [{"itemId": "item001"}] * 501)
    with pytest.raises(ClientError, match="501 queries; Item-Affinity takes at most 500"):
        rt.create_batch_segment_job(**_job("big", version, "s3://b/big.json", "s3://b/o2/"))
    assert not (tmp_path / "b/o2/big.json.out").exists()
    (tmp_path / "b/latin1.json").write_bytes('{"itemId": "caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(Exception, match=r"latin1.json: not UTF-8 text"):
        rt.create_batch_segment_job(**_job("bad", version, "s3://b/latin1.json", "s3://b/o3/"))


def test_a_user_filter_keeps_only_the_users_it_selects_before_the_segment_is_cut(tmp_path, data):
    interactions, items, users = data
    users = users.assign(MEMBERSHIP=["gold" if i % 3 == 0 else "basic" for i in range(len(users))])
    rt = PersonalizeRuntime(s3_root=tmp_path)
    group = rt.create_dataset_group(name="shop")["datasetGroupArn"]
    model = ItemAffinity(solver="cholesky", factors=4).fit(interactions, items=items, users=users)
    version = rt.create_solution_version(model, datasetGroupArn=group)["solutionVersionArn"]
    members = rt.create_filter(name="members", datasetGroupArn=group,
                               filterExpression="INCLUDE UserID WHERE Users.MEMBERSHIP IN ($LEVEL)")["filterArn"]
    item = interactions["ITEM_ID"].iloc[0]
    _write(tmp_path, "b/q.json", [{"itemId": item, "filterValues": {"LEVEL": '"gold"'}}, {"itemId": item}])
    rt.create_batch_segment_job(**_job("gold", version, "s3://b/q.json", "s3://b/o/", numResults=5, filterArn=members))
    gold_line, missing_value = _read(tmp_path / "b/o/q.json.out")
    gold = set(users.loc[users["MEMBERSHIP"] == "gold", "USER_ID"])
    ranked = model.segment([item])["USER_ID"].tolist()  # every trained user, best first
    assert gold_line["output"]["recommendedUsers"] == [u for u in ranked if u in gold][:5]
    assert "filterValues has no value for $LEVEL" in missing_value["error"]  # the line gave no filterValues
    # an item filter is refused by the segment job, a user filter by GetRecommendations
    item_filter = rt.create_filter(name="no-boots", datasetGroupArn=group,
                                   filterExpression='EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("boots")')["filterArn"]
    with pytest.raises(ClientError, match="takes a user filter"):
        rt.create_batch_segment_job(**_job("x", version, "s3://b/q.json", "s3://b/o2/", filterArn=item_filter))
    popular = rt.create_solution_version(Popularity().fit(interactions, items=items), datasetGroupArn=group)
    with pytest.raises(ClientError, match="a batch inference job takes an ItemID filter"):
        rt.create_batch_inference_job(**_job("y", popular["solutionVersionArn"], "s3://b/q.json", "s3://b/o3/",
                                             filterArn=members))
    campaign = rt.deploy(Popularity().fit(interactions, items=items, users=users), name="pop", datasetGroupArn=group)
    with pytest.raises(ClientError, match="selects users"):
        rt.get_recommendations(campaignArn=campaign.campaign_arn, userId="user000", filterArn=members,
                               filterValues={"LEVEL": '"gold"'})


def test_batch_inference_applies_the_job_s_item_filter_with_each_line_s_values(tmp_path, data):
    interactions, items, _ = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    group = rt.create_dataset_group(name="shop")["datasetGroupArn"]
    version = rt.create_solution_version(Popularity().fit(interactions, items=items), datasetGroupArn=group)
    no_category = rt.create_filter(name="no-cat", datasetGroupArn=group,
                                   filterExpression="EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CAT)")["filterArn"]
    category = items.set_index("ITEM_ID")["CATEGORY_L1"]
    banned = category.iloc[0]
    _write(tmp_path, "b/in.json", [{"userId": "user000", "filterValues": {"CAT": f'"{banned}"'}}, {"userId": "user001"}])
    rt.create_batch_inference_job(**_job("f", version["solutionVersionArn"], "s3://b/in.json", "s3://b/o/",
                                         numResults=10, filterArn=no_category))
    filtered, unfiltered = _read(tmp_path / "b/o/in.json.out")
    assert len(filtered["output"]["recommendedItems"]) == 10
    assert banned not in set(category[filtered["output"]["recommendedItems"]])
    # an EXCLUDE part without its value is ignored (the guide's rule), so the second line is not filtered
    assert banned in set(category[unfiltered["output"]["recommendedItems"]])


def test_segment_job_reads_the_version_s_users_then_put_users_and_checks_the_filter_s_fields_at_create(tmp_path, data):
    interactions, items, users = data
    gold = users.assign(MEMBERSHIP="gold")
    rt = PersonalizeRuntime(s3_root=tmp_path)
    group = rt.create_dataset_group(name="shop")["datasetGroupArn"]
    # another campaign in the group was fitted on older users data, where nobody is gold: it must not count
    rt.deploy(Popularity().fit(interactions, items=items, users=users.assign(MEMBERSHIP="basic")), name="old",
              datasetGroupArn=group)
    model = ItemAffinity(solver="cholesky", factors=4).fit(interactions, items=items, users=gold)
    version = rt.create_solution_version(model, datasetGroupArn=group)["solutionVersionArn"]
    only_gold = rt.create_filter(name="gold", datasetGroupArn=group,
                                 filterExpression='INCLUDE UserID WHERE Users.MEMBERSHIP IN ("gold")')["filterArn"]
    item = interactions["ITEM_ID"].iloc[0]
    _write(tmp_path, "b/q.json", [{"itemId": item}])
    rt.create_batch_segment_job(**_job("g", version, "s3://b/q.json", "s3://b/o/", numResults=4, filterArn=only_gold))
    top = _read(tmp_path / "b/o/q.json.out")[0]["output"]["recommendedUsers"]
    assert top == model.segment([item], n=4)["USER_ID"].tolist()  # everyone is gold in the version's own data
    # a PutUsers record is newer than the version's data: that user is no longer gold
    rt.create_event_tracker(name="t", datasetGroupArn=group)  # PutUsers goes to the group's users dataset
    rt.put_users(datasetArn=rt.tracker(group).users_dataset_arn,
                 users=[{"userId": top[0], "properties": '{"membership": "basic"}'}])
    rt.create_batch_segment_job(**_job("g2", version, "s3://b/q.json", "s3://b/o2/", numResults=4, filterArn=only_gold))
    assert top[0] not in _read(tmp_path / "b/o2/q.json.out")[0]["output"]["recommendedUsers"]
    # CreateFilter checks fields against the users data the group holds (here the old campaign's) ...
    with pytest.raises(ClientError, match="no field 'MEMBRSHIP'"):
        rt.create_filter(name="typo", datasetGroupArn=group,
                         filterExpression='INCLUDE UserID WHERE Users.MEMBRSHIP IN ("gold")')
    # ... and in a group with no campaign the segment job checks them, before any line is answered
    bare = rt.create_dataset_group(name="bare")["datasetGroupArn"]
    bare_version = rt.create_solution_version(model, datasetGroupArn=bare)["solutionVersionArn"]
    typo = rt.create_filter(name="typo2", datasetGroupArn=bare,
                            filterExpression='INCLUDE UserID WHERE Users.MEMBRSHIP IN ("gold")')["filterArn"]
    with pytest.raises(ClientError, match="no field 'MEMBRSHIP'"):
        rt.create_batch_segment_job(**_job("t", bare_version, "s3://b/q.json", "s3://b/o3/", filterArn=typo))
    assert not (tmp_path / "b/o3/q.json.out").exists()


def test_segment_job_lines_with_bad_filter_values_say_so(tmp_path, data):
    interactions, items, users = data
    rt = PersonalizeRuntime(s3_root=tmp_path)
    group = rt.create_dataset_group(name="shop")["datasetGroupArn"]
    model = ItemAffinity(solver="cholesky", factors=4).fit(interactions, items=items,
                                                            users=users.assign(MEMBERSHIP="gold"))
    version = rt.create_solution_version(model, datasetGroupArn=group)["solutionVersionArn"]
    level = rt.create_filter(name="lvl", datasetGroupArn=group,
                             filterExpression="INCLUDE UserID WHERE Users.MEMBERSHIP IN ($LEVEL)")["filterArn"]
    drop = rt.create_filter(name="drop", datasetGroupArn=group,
                            filterExpression="EXCLUDE UserID WHERE Users.MEMBERSHIP IN ($LEVEL)")["filterArn"]
    item = interactions["ITEM_ID"].iloc[0]
    _write(tmp_path, "b/q.json", [{"itemId": item, "filterValues": "gold"}, {"itemId": item}])
    rt.create_batch_segment_job(**_job("a", version, "s3://b/q.json", "s3://b/o/", numResults=3, filterArn=level))
    as_text, missing = _read(tmp_path / "b/o/q.json.out")
    assert "filterValues must be an object" in as_text["error"]
    assert "filterValues has no value for $LEVEL" in missing["error"]
    # in an EXCLUDE expression a missing value switches the part off: the whole segment comes back
    rt.create_batch_segment_job(**_job("b", version, "s3://b/q.json", "s3://b/o2/", numResults=3, filterArn=drop))
    assert len(_read(tmp_path / "b/o2/q.json.out")[1]["output"]["recommendedUsers"]) == 3
