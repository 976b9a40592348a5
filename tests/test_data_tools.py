"""tools/data: list builders, K-100 subset, frame extraction, integrity.

Every test builds its own small tree of files in tmp_path: empty stand-ins
where only names matter, real mp4 files (cv2.VideoWriter) where decoding
matters.
"""
import glob
import importlib
import os
import os.path as osp

import cv2
import numpy as np
import pytest

import build_k100_lists
import build_kinetics_lists
import build_split_lists
import check_integrity
import extract_frames
import transcode_ucf101_like


def touch(path, size=0):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(b'x' * size)


def frames_dir(path, n):
    """A frame folder with ``n`` real JPEGs img_00001.jpg..."""
    os.makedirs(path, exist_ok=True)
    img = np.full((8, 10, 3), 128, np.uint8)
    for i in range(1, n + 1):
        cv2.imwrite(osp.join(path, f'img_{i:05d}.jpg'), img)


def write_mp4(path, num_frames, w=80, h=64):
    """A real mp4 whose frame i (0-based) has brightness min(20 i, 250)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 16,
                             (w, h))
    assert writer.isOpened()
    for i in range(num_frames):
        writer.write(np.full((h, w, 3), min(20 * i, 250), np.uint8))
    writer.release()


def lines(path):
    with open(path) as f:
        return f.read().splitlines()


def _installed(module):
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


# the tools' --decoder: PyAV by default, decord where installed (optional)
DECODERS = ['pyav', pytest.param('decord', marks=pytest.mark.skipif(
    not _installed('decord'), reason='decord not installed (optional)'))]


def faststart_mp4(src, dst):
    """``src`` remuxed with its index (moov) first, as streaming files are:
    cut short, such a file still opens and lists every frame."""
    import av
    with av.open(src) as inp, av.open(dst, 'w', options=dict(
            movflags='faststart')) as out:
        template = inp.streams.video[0]
        stream = out.add_stream_from_template(template) if hasattr(
            out, 'add_stream_from_template') else out.add_stream(
                template=template)  # PyAV < 13
        for packet in inp.demux(inp.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)


# ----------------------------------------------------------------- UCF101
UCF_CLASSES = ['ApplyEyeMakeup', 'Archery', 'HandstandPushups']
UCF_TRAIN = {  # split: videos (class folder / file)
    1: ['ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi',
        'HandstandPushups/v_HandStandPushups_g08_c01.avi'],
    2: ['ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi',
        'Archery/v_Archery_g01_c01.avi'],
    3: ['Archery/v_Archery_g08_c01.avi'],
}
UCF_TEST = {
    1: ['ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi',
        'Archery/v_Archery_g01_c01.avi', 'Archery/v_Archery_g08_c01.avi'],
    2: ['Archery/v_Archery_g08_c01.avi'],
    3: ['ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi'],
}


def ucf_split_dir(tmp_path):
    """Official-format split files, with the CRLF line ends they have."""
    d = tmp_path / 'ucfTrainTestlist'
    d.mkdir()
    (d / 'classInd.txt').write_bytes(''.join(
        f'{i} {c}\r\n' for i, c in enumerate(UCF_CLASSES, 1)).encode())
    for split in (1, 2, 3):
        (d / f'trainlist0{split}.txt').write_bytes(''.join(
            f'{p} {UCF_CLASSES.index(p.split("/")[0]) + 1}\r\n'
            for p in UCF_TRAIN[split]).encode())
        (d / f'testlist0{split}.txt').write_bytes(''.join(
            f'{p}\r\n' for p in UCF_TEST[split]).encode())
    return str(d)


def test_ucf101_lists_names_labels_splits_and_frame_counts(tmp_path):
    split_dir = ucf_split_dir(tmp_path)
    videos, frames = tmp_path / 'videos', tmp_path / 'rawframes'
    all_videos = sorted({p for d in (UCF_TRAIN, UCF_TEST) for v in d.values()
                         for p in v})
    missing = 'Archery/v_Archery_g08_c01.avi'
    counts = {}
    for i, rel in enumerate(all_videos):
        if rel != missing:
            touch(str(videos / rel))
            counts[rel] = 20 + i
            frames_dir(str(frames / rel[:-4]), counts[rel])
    out = tmp_path / 'out'
    build_split_lists.main([
        'ucf101', split_dir, '--video-root', str(videos), '--frame-root',
        str(frames), '--out-dir', str(out), '--no-progress'])

    for split in (1, 2, 3):
        for subset, table in (('train', UCF_TRAIN), ('val', UCF_TEST)):
            stem = out / f'ucf101_{subset}_split_{split}'
            expected = [(p, UCF_CLASSES.index(p.split('/')[0]))
                        for p in table[split] if p != missing]
            assert lines(f'{stem}_videos.txt') == [
                f'{p} {label}' for p, label in expected]
            assert lines(f'{stem}_rawframes.txt') == [
                f'{p[:-4]} {counts[p]} {label}' for p, label in expected]
    assert lines(out / 'ucf101_label_map.txt') == UCF_CLASSES
    # the missing video is reported (it is in split 1 test and split 2 test)
    assert sorted(lines(out / 'ucf101_missing.txt')) == sorted([
        f'ucf101_val_split_1 video {missing}',
        f'ucf101_val_split_2 video {missing}',
        f'ucf101_train_split_3 video {missing}'])


def test_ucf101_flat_copy_and_unchecked_paths(tmp_path):
    split_dir = ucf_split_dir(tmp_path)
    flat = tmp_path / 'flat'
    for rel in UCF_TRAIN[1] + UCF_TEST[1]:
        touch(str(flat / osp.basename(rel)))
    build_split_lists.main(['ucf101', split_dir, '--video-root', str(flat),
                            '--out-dir', str(tmp_path / 'a'), '--splits', '1',
                            '--no-progress'])
    assert lines(tmp_path / 'a' / 'ucf101_train_split_1_videos.txt') == [
        'v_ApplyEyeMakeup_g08_c01.avi 0', 'v_HandStandPushups_g08_c01.avi 2']
    assert not (tmp_path / 'a' / 'ucf101_val_split_1_rawframes.txt').exists()
    # no video root: the official class-folder paths, unchecked
    build_split_lists.main(['ucf101', split_dir, '--out-dir',
                            str(tmp_path / 'b'), '--splits', '2',
                            '--no-progress'])
    assert lines(tmp_path / 'b' / 'ucf101_train_split_2_videos.txt') == [
        'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi 0',
        'Archery/v_Archery_g01_c01.avi 1']


def test_hmdb51_lists_use_0_unused_1_train_2_test(tmp_path):
    split_dir = tmp_path / 'splits'
    split_dir.mkdir()
    table = {  # class: [(video, usage in split 1, 2, 3)]
        'wave': [('w_a.avi', '1', '2', '0'), ('w_b.avi', '2', '1', '1')],
        'brush_hair': [('b_a.avi', '0', '1', '2'),
                       ('b_b.avi', '1', '0', '2')],
    }
    for cls, rows in table.items():
        for split in (1, 2, 3):
            (split_dir / f'{cls}_test_split{split}.txt').write_text(''.join(
                f'{v} {codes[split - 1]} \n' for v, *codes in rows))
    videos = tmp_path / 'videos'
    for cls, rows in table.items():
        for v, *_ in rows:
            touch(str(videos / cls / v))
    out = tmp_path / 'out'
    build_split_lists.main(['hmdb51', str(split_dir), '--video-root',
                            str(videos), '--out-dir', str(out),
                            '--no-progress'])
    # classes alphabetical: brush_hair 0, wave 1
    assert lines(out / 'hmdb51_label_map.txt') == ['brush_hair', 'wave']
    assert lines(out / 'hmdb51_train_split_1_videos.txt') == [
        'brush_hair/b_b.avi 0', 'wave/w_a.avi 1']
    assert lines(out / 'hmdb51_val_split_1_videos.txt') == ['wave/w_b.avi 1']
    assert lines(out / 'hmdb51_train_split_2_videos.txt') == [
        'brush_hair/b_a.avi 0', 'wave/w_b.avi 1']
    assert lines(out / 'hmdb51_val_split_3_videos.txt') == [
        'brush_hair/b_a.avi 0', 'brush_hair/b_b.avi 0']
    assert not (out / 'hmdb51_missing.txt').exists()


# --------------------------------------------------------------- Kinetics
K400_CSV = '''label,youtube_id,time_start,time_end,split
shooting goal (soccer),aaaaaaaaaaa,5,15,train
"passing American football (in game)",bbbbbbbbbbb,120,130,train
abseiling,ccccccccccc,0,10,train
abseiling,ddddddddddd,33,43,val
shooting goal (soccer),eeeeeeeeeee,7,17,val
'''
K400_TEST_CSV = '''youtube_id,time_start,time_end,split
fffffffffff,1,11,test
'''


@pytest.mark.parametrize('layout', ['classes', 'flat'])
def test_kinetics400_lists_from_csv_both_layouts(tmp_path, layout):
    (tmp_path / 'k.csv').write_text(K400_CSV)
    (tmp_path / 'test.csv').write_text(K400_TEST_CSV)
    files = {  # clip: class folder
        'aaaaaaaaaaa_000005_000015': 'shooting_goal_(soccer)',
        'bbbbbbbbbbb_000120_000130': 'passing_American_football_(in_game)',
        'ccccccccccc_000000_000010': 'abseiling',
        'eeeeeeeeeee_000007_000017': 'shooting_goal_(soccer)',
        'fffffffffff_000001_000011': 'test',
    }  # ddddddddddd is missing
    root = tmp_path / 'videos'
    for clip, cls in files.items():
        sub = f'{cls}/' if layout == 'classes' else ''
        touch(str(root / f'{sub}{clip}.mp4'))
    frame_root = tmp_path / 'frames'
    frames_dir(str(frame_root / (f'abseiling/' if layout == 'classes' else '')
                   / 'ccccccccccc_000000_000010'), 7)
    out = tmp_path / 'out'
    build_kinetics_lists.main([
        '--csv', str(tmp_path / 'k.csv'), str(tmp_path / 'test.csv'),
        '--video-root', str(root), '--frame-root', str(frame_root),
        '--out-dir', str(out), '--no-progress'])
    classes = ['abseiling', 'passing American football (in game)',
               'shooting goal (soccer)']
    assert lines(out / 'kinetics400_label_map.txt') == classes

    def path(clip):
        cls = files[clip]
        return f'{cls}/{clip}.mp4' if layout == 'classes' else f'{clip}.mp4'

    assert lines(out / 'kinetics400_train_list_videos.txt') == [
        f'{path("aaaaaaaaaaa_000005_000015")} 2',
        f'{path("bbbbbbbbbbb_000120_000130")} 1',
        f'{path("ccccccccccc_000000_000010")} 0']
    assert lines(out / 'kinetics400_val_list_videos.txt') == [
        f'{path("eeeeeeeeeee_000007_000017")} 2']
    assert lines(out / 'kinetics400_test_list_videos.txt') == [
        f'{path("fffffffffff_000001_000011")} -1']
    assert lines(out / 'kinetics400_train_list_rawframes.txt') == [
        f'{path("ccccccccccc_000000_000010")[:-4]} 7 0']
    missing = lines(out / 'kinetics400_missing.txt')
    assert ('kinetics400_val_list video '
            'abseiling/ddddddddddd_000033_000043.mp4') in missing
    assert sum(' frames ' in m for m in missing) == 4  # no frames extracted


# ------------------------------------------------------------ Kinetics-100
K100_LIST = '''playing_piano/JAs8e3NTz3Y_000020_000030 300
playing_piano/XuLOUTo3wwE_000061_000071 300
shooting_goal_(soccer)/C1yP3qtqI4o_000129_000139 250
applauding/j43PCRHn3Q8_000001_000011 250
applauding/LNFRwPFDHQs_000027_000037 300
'''


def test_k100_from_the_authors_clip_list(tmp_path):
    clip_list = tmp_path / 'k100.list'
    clip_list.write_text(K100_LIST)
    root = tmp_path / 'k400'
    for rel in ['playing_piano/JAs8e3NTz3Y_000020_000030.mp4',
                'playing_piano/XuLOUTo3wwE_000061_000071.mp4',
                'playing_piano/notinlist_000000_000010.mp4',
                'shooting_goal_(soccer)/C1yP3qtqI4o_000129_000139.mp4',
                'archery/Zzzzzzzzzzz_000001_000011.mp4']:
        touch(str(root / 'train' / rel))
    touch(str(root / 'LNFRwPFDHQs_000027_000037.mkv'))  # flat, other ext
    frames_dir(str(tmp_path / 'fr' / 'train' / 'playing_piano' /
                   'JAs8e3NTz3Y_000020_000030'), 30)
    out = tmp_path / 'out'
    build_k100_lists.main(['--clip-list', str(clip_list), '--video-root',
                           str(root), '--frame-root', str(tmp_path / 'fr'),
                           '--out-dir', str(out), '--no-progress'])
    # classes of the list, alphabetical
    assert lines(out / 'kinetics100_label_map.txt') == [
        'applauding', 'playing_piano', 'shooting_goal_(soccer)']
    assert lines(out / 'kinetics100_train_list_videos.txt') == [
        'train/playing_piano/JAs8e3NTz3Y_000020_000030.mp4 1',
        'train/playing_piano/XuLOUTo3wwE_000061_000071.mp4 1',
        'train/shooting_goal_(soccer)/C1yP3qtqI4o_000129_000139.mp4 2',
        'LNFRwPFDHQs_000027_000037.mkv 0']
    assert lines(out / 'kinetics100_train_list_rawframes.txt') == [
        'train/playing_piano/JAs8e3NTz3Y_000020_000030 30 1']
    missing = lines(out / 'kinetics100_train_missing.txt')
    assert ('kinetics100_train_list video '
            'applauding/j43PCRHn3Q8_000001_000011.mp4') in missing


def test_k100_rspnet_rule_takes_the_smallest_classes(tmp_path):
    root = tmp_path / 'train'
    sizes = {'a_big': [500, 600], 'b_small': [10, 20], 'c_mid': [100, 150],
             'd_tie': [15, 15], 'e_tie': [30]}  # d_tie and e_tie total 30
    for cls, files in sizes.items():
        for i, size in enumerate(files):
            touch(str(root / cls / f'{cls}{i}_000000_000010.mp4'), size)
    out = tmp_path / 'out'
    build_k100_lists.main(['--smallest', '3', '--video-root', str(root),
                           '--out-dir', str(out), '--no-progress'])
    # totals: b 30, d 30, e 30, c 250, a 1100 -> the three of 30 bytes
    assert lines(out / 'kinetics100_label_map.txt') == [
        'b_small', 'd_tie', 'e_tie']
    assert lines(out / 'kinetics100_train_list_videos.txt') == [
        'b_small/b_small0_000000_000010.mp4 0',
        'b_small/b_small1_000000_000010.mp4 0',
        'd_tie/d_tie0_000000_000010.mp4 1',
        'd_tie/d_tie1_000000_000010.mp4 1',
        'e_tie/e_tie0_000000_000010.mp4 2']
    build_k100_lists.main(['--smallest', '2', '--video-root', str(root),
                           '--out-dir', str(out), '--no-progress'])
    assert lines(out / 'kinetics100_label_map.txt') == ['b_small', 'd_tie']
    with pytest.raises(ValueError, match='fewer than'):
        build_k100_lists.main(['--smallest', '6', '--video-root', str(root),
                               '--out-dir', str(out), '--no-progress'])


def test_k100_classes_file_on_a_flat_copy_via_the_k400_list(tmp_path):
    root = tmp_path / 'flat'
    for clip in ('x1', 'x2', 'y1', 'z1'):
        touch(str(root / f'{clip}.mp4'))
    (tmp_path / 'map.txt').write_text('class x\nclass y\nclass z\n')
    (tmp_path / 'k400.txt').write_text(
        'x1.mp4 0\ny1.mp4 1\nx2.mp4 0\nz1.mp4 2\n')
    (tmp_path / 'classes.txt').write_text('class_z\nclass x\n')
    out = tmp_path / 'out'
    build_k100_lists.main([
        '--classes', str(tmp_path / 'classes.txt'), '--video-root', str(root),
        '--k400-list', str(tmp_path / 'k400.txt'), '--label-map',
        str(tmp_path / 'map.txt'), '--split', 'val', '--out-dir', str(out),
        '--no-progress'])
    assert lines(out / 'kinetics100_label_map.txt') == ['class_x', 'class_z']
    assert lines(out / 'kinetics100_val_list_videos.txt') == [
        'x1.mp4 0', 'x2.mp4 0', 'z1.mp4 1']
    with pytest.raises(ValueError, match='flat copy'):
        build_k100_lists.main(['--smallest', '1', '--video-root', str(root),
                               '--out-dir', str(out), '--no-progress'])


# ------------------------------------------------------- frame extraction
@pytest.mark.parametrize('decoder', DECODERS)
def test_extract_frames_resizes_names_and_resumes(tmp_path, decoder):
    videos, frames = tmp_path / 'videos', tmp_path / 'frames'
    write_mp4(str(videos / 'a' / 'one.mp4'), 12)
    write_mp4(str(videos / 'b' / 'two.mp4'), 9)
    touch(str(videos / 'b' / 'broken.mp4'), 100)  # not a video
    (tmp_path / 'list.txt').write_text(
        'a/one.mp4 3\nb/two.mp4 5\nb/broken.mp4 1\n')
    args = [str(videos), str(frames), '--list', str(tmp_path / 'list.txt'),
            '--out-list', str(tmp_path / 'frames.txt'), '--short-side', '32',
            '--decoder', decoder, '--workers', '2', '--no-progress']
    results = extract_frames.main(args)
    assert [r[1] for r in results] == ['done', 'done', 'failed']
    assert lines(tmp_path / 'frames.txt') == ['a/one 12 3', 'b/two 9 5']
    names = sorted(os.listdir(frames / 'a' / 'one'))
    assert names == [f'img_{i:05d}.jpg' for i in range(1, 13)]
    img = cv2.imread(str(frames / 'a' / 'one' / 'img_00012.jpg'))
    assert img.shape == (32, 40, 3)  # 80x64 -> short side 32
    assert abs(img.mean() - 20 * 11) < 12  # the 12th frame, in order
    first = cv2.imread(str(frames / 'a' / 'one' / 'img_00001.jpg'))
    assert first.mean() < 12
    assert not (frames / 'b' / 'broken').exists()
    assert not (frames / 'b' / 'broken.extracting').exists()

    # resumable: finished folders are skipped (not rewritten), an
    # interrupted one (left as a temporary folder) is redone
    stamp = os.stat(frames / 'a' / 'one' / 'img_00001.jpg').st_mtime_ns
    os.rename(frames / 'b' / 'two', frames / 'b' / 'two.extracting')
    os.remove(frames / 'b' / 'two.extracting' / 'img_00009.jpg')
    results = extract_frames.main(args[:-2] + ['1', '--no-progress'])
    assert [r[1] for r in results] == ['skipped', 'done', 'failed']
    assert os.stat(frames / 'a' / 'one' /
                   'img_00001.jpg').st_mtime_ns == stamp
    assert len(os.listdir(frames / 'b' / 'two')) == 9
    assert lines(tmp_path / 'frames.txt') == ['a/one 12 3', 'b/two 9 5']


def test_extract_frames_keeps_the_frames_of_a_truncated_mp4(tmp_path):
    """A streaming-layout MP4 cut short opens (its index lists 40
    frames) but holds fewer: PyAV decodes what is there without an error,
    and the tool keeps those frames and reports the video as partial."""
    videos = tmp_path / 'v'
    write_mp4(str(tmp_path / 'src.mp4'), 40)
    os.makedirs(videos)
    faststart_mp4(str(tmp_path / 'src.mp4'), str(videos / 'cut.mp4'))
    with open(videos / 'cut.mp4', 'r+b') as f:
        f.truncate(os.path.getsize(videos / 'cut.mp4') * 6 // 10)
    (rel, status, written, message), = extract_frames.main([
        str(videos), str(tmp_path / 'f'), '--workers', '1', '--no-progress'])
    assert (rel, status) == ('cut.mp4', 'partial')
    assert 0 < written < 40
    assert f'{written} of 40 frames' in message
    assert len(os.listdir(tmp_path / 'f' / 'cut')) == written


def test_extract_frames_without_a_list_finds_all_videos(tmp_path):
    videos = tmp_path / 'v'
    write_mp4(str(videos / 'x.mp4'), 5)
    write_mp4(str(videos / 'c' / 'y.avi'), 4)
    results = extract_frames.main([str(videos), str(tmp_path / 'f'),
                                   '--workers', '1', '--no-progress'])
    assert sorted((r[0], r[1], r[2]) for r in results) == [
        ('c/y.avi', 'done', 4), ('x.mp4', 'done', 5)]
    img = cv2.imread(str(tmp_path / 'f' / 'x' / 'img_00001.jpg'))
    assert img.shape == (64, 80, 3)  # no resizing by default


# -------------------------------------------------------- integrity check
@pytest.mark.parametrize('decoder', DECODERS)
def test_integrity_check_videos_finds_each_kind_of_breakage(tmp_path,
                                                            decoder):
    root = tmp_path / 'videos'
    write_mp4(str(root / 'good.mp4'), 20)
    write_mp4(str(root / 'short.mp4'), 5)
    write_mp4(str(root / 'truncated.mp4'), 40)
    with open(root / 'truncated.mp4', 'r+b') as f:
        f.truncate(os.path.getsize(root / 'truncated.mp4') // 2)
    touch(str(root / 'empty.mp4'))
    (root / 'text.mp4').write_text('this is not a video\n' * 20)
    listed = ['good.mp4 0', 'missing.mp4 1', 'empty.mp4 2',
              'truncated.mp4 3', 'text.mp4 4', 'short.mp4 5']
    (tmp_path / 'list.txt').write_text('\n'.join(listed) + '\n')
    base = [str(tmp_path / 'list.txt'), str(root), '--min-frames', '8',
            '--decoder', decoder, '--workers', '1', '--no-progress']
    assert check_integrity.main(base) == 1  # problems, no cleaned list
    assert check_integrity.main(base + [
        '--out', str(tmp_path / 'clean.txt'), '--report',
        str(tmp_path / 'bad.txt')]) == 0
    assert lines(tmp_path / 'clean.txt') == ['good.mp4 0']
    report = dict(line.split('\t') for line in lines(tmp_path / 'bad.txt'))
    assert report['missing.mp4 1'] == 'missing'
    assert report['empty.mp4 2'] == 'empty file'
    assert report['truncated.mp4 3'].startswith('unreadable')
    assert report['text.mp4 4'].startswith('unreadable')
    assert report['short.mp4 5'] == 'too short: 5 frames < 8'
    assert 'good.mp4 0' not in report
    # the same short video passes with a lower minimum; workers in parallel
    (tmp_path / 'list2.txt').write_text('good.mp4 0\nshort.mp4 5\n')
    assert check_integrity.main([str(tmp_path / 'list2.txt'), str(root),
                                 '--min-frames', '5', '--workers', '2',
                                 '--decoder', decoder, '--no-progress']) == 0


def test_integrity_check_finds_a_truncated_streaming_mp4(tmp_path):
    """Cut short, an MP4 with its index first still opens and its first,
    middle and last readable frames decode with PyAV: the frames its index
    lists but the file lacks make it truncated."""
    root = tmp_path / 'videos'
    write_mp4(str(tmp_path / 'src.mp4'), 40)
    os.makedirs(root)
    faststart_mp4(str(tmp_path / 'src.mp4'), str(root / 'whole.mp4'))
    faststart_mp4(str(tmp_path / 'src.mp4'), str(root / 'cut.mp4'))
    with open(root / 'cut.mp4', 'r+b') as f:
        f.truncate(os.path.getsize(root / 'cut.mp4') * 6 // 10)
    (tmp_path / 'list.txt').write_text('whole.mp4 0\ncut.mp4 1\n')
    assert check_integrity.main([
        str(tmp_path / 'list.txt'), str(root), '--workers', '1',
        '--no-progress', '--report', str(tmp_path / 'bad.txt')]) == 1
    (line, reason), = [x.split('\t') for x in lines(tmp_path / 'bad.txt')]
    assert line == 'cut.mp4 1'
    # the reader indexes an MP4 by its sample table: the first frame the
    # file lacks fails to decode (a reader that demuxes every packet counts
    # the frames that are there instead)
    assert reason.startswith('unreadable: ') and 'truncated' in reason
    assert 'of 40' in reason or 'of the 40 frames' in reason


def test_integrity_check_rawframes_counts_and_reads_frames(tmp_path):
    root = tmp_path / 'frames'
    frames_dir(str(root / 'good'), 10)
    frames_dir(str(root / 'fewer'), 9)  # the list says 12
    frames_dir(str(root / 'gap'), 10)
    os.remove(root / 'gap' / 'img_00004.jpg')  # only 1..3 are consecutive
    frames_dir(str(root / 'corrupt'), 10)
    (root / 'corrupt' / 'img_00010.jpg').write_bytes(b'not a jpeg')
    os.makedirs(root / 'empty')
    listed = ['good 10 0', 'fewer 12 1', 'gap 10 2', 'corrupt 10 3',
              'empty 10 4', 'missing 10 5']
    (tmp_path / 'list.txt').write_text('\n'.join(listed) + '\n')
    assert check_integrity.main([
        str(tmp_path / 'list.txt'), str(root), '--min-frames', '8',
        '--workers', '1', '--no-progress', '--out',
        str(tmp_path / 'clean.txt'), '--report', str(tmp_path / 'bad.txt')
    ]) == 0
    # a wrong count is fixed in the cleaned list; the rest is dropped
    assert lines(tmp_path / 'clean.txt') == ['good 10 0', 'fewer 9 1']
    report = dict(line.split('\t') for line in lines(tmp_path / 'bad.txt'))
    assert report['fewer 12 1'] == 'frame count: 9 on disk, the list says 12'
    assert report['gap 10 2'] == 'too short: 3 frames < 8'
    assert report['corrupt 10 3'] == 'unreadable: img_00010.jpg'
    assert report['empty 10 4'].startswith('no frames')
    assert report['missing 10 5'] == 'missing'


def test_transcode_writes_ucf101_geometry_and_codec(tiny_data, tmp_path):
    from mmauxskd.datasets.transforms.video_readers import PyAVReader
    src = sorted(glob.glob(osp.join(tiny_data, 'videos', 'unlabelled',
                                    '*.mp4')))[0]
    transcode_ucf101_like.main([src, '--out', str(tmp_path)])
    out = osp.join(tmp_path, osp.basename(src)[:-4] + '.avi')
    reader, original = PyAVReader(out), PyAVReader(src)
    assert len(reader) == len(original)
    assert reader.get_frames([0])[0].shape == (240, 320, 3)
    with open(out, 'rb') as f:
        head = f.read(4096)
    assert head[:4] == b'RIFF' and b'XVID' in head.upper()
    assert reader.keyframes[:2].tolist() == [0, 12]  # one every 12 frames


def test_ucf101_lists_from_a_resized_copy(tmp_path):
    """resize_videos.py writes .avi sources as .mp4; the list builders
    take the resized root and list its files (found by name whatever the
    extension), which then decode with the source's frame count."""
    import resize_videos
    from mmauxskd.datasets.transforms.video_readers import PyAVReader
    src, dst = tmp_path / 'videos', tmp_path / 'videos_128'
    for i, rel in enumerate(UCF_TRAIN[1] + UCF_TEST[1]):
        write_mp4(str(src / rel), 20 + i, w=320, h=240)
    assert resize_videos.main(['--src-root', str(src), '--dst-root',
                               str(dst), '--workers', '1',
                               '--no-progress']) == 0
    build_split_lists.main(['ucf101', ucf_split_dir(tmp_path),
                            '--video-root', str(dst), '--out-dir',
                            str(tmp_path / 'lists'), '--splits', '1',
                            '--no-progress'])
    train = lines(tmp_path / 'lists' / 'ucf101_train_split_1_videos.txt')
    assert train == ['ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.mp4 0',
                     'HandstandPushups/v_HandStandPushups_g08_c01.mp4 2']
    for i, line in enumerate(train):
        reader = PyAVReader(str(dst / line.split()[0]))
        assert len(reader) == 20 + i
        assert reader.stream.codec_context.height == 128


def test_demo_videos_have_an_arrow_of_time():
    """Blobs grow with time (VCOP's order is defined); growth=0 keeps the
    old time-symmetric videos, whose blob area does not change."""
    import make_demo_data
    import numpy as np

    def blob_area(growth):
        frames = make_demo_data.render_video(
            np.random.default_rng(3), 64, 64, label=None, growth=growth)
        # blobs are brighter than the background (>= 130 - 60 vs < 120,
        # blurred): count the bright pixels of each frame
        return (frames.max(axis=3) >= 125).mean(axis=(1, 2))

    area = blob_area(0.75)
    assert area[-8:].mean() > 2 * area[:8].mean()
    assert np.all(np.diff(area[::16]) > 0)
    still = blob_area(0)
    assert abs(still[-8:].mean() - still[:8].mean()) < 0.1 * still.mean()
